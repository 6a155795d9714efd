#!/usr/bin/env bash
# Run the official QStash SDKs' own test suites against `cronctl dev` (a developer tool, not CI).
#
#   scripts/sdk-suites.sh [PY_CHECKOUT] [JS_CHECKOUT]     (defaults: /work/sdk/qstash-py, qstash-js)
#
# Needs: a checkout of upstash/qstash-py with a Python that has pytest, pytest-asyncio (<0.24),
# python-dotenv, httpx and pyjwt<2.10 (the suite's receiver test signs with a float `jti`, which
# PyJWT 2.10 rejects) ($SDK_PYTHON, default: PY_CHECKOUT/../pyenv/bin/python), and a
# checkout of upstash/qstash-js with `bun install` done. It starts `cronctl dev` (in memory, wall
# clock) and a local destination app on loopback, copies each suite into a temporary directory,
# replaces the public hosts the tests deliver to (mock.httpstatus.io, httpbin.org) with the local
# app, runs the suites with the QSTASH_* variables pointing at the dev server and prints
# pass/fail counts and each failure with its reason. Assertions are never changed.
# SUITES=py or SUITES=js runs one; pytest / bun arguments go in PY_ARGS (default: -k "not llm",
# the tests that call an LLM provider need the internet) / JS_ARGS (default: src).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
py_src="${1:-/work/sdk/qstash-py}"
js_src="${2:-/work/sdk/qstash-js}"
sdk_python="${SDK_PYTHON:-$(dirname "$py_src")/pyenv/bin/python}"
cronctl="${CRONCTL:-$here/.venv/bin/cronctl}"
python="$here/.venv/bin/python"
suites="${SUITES:-py js}"
dev_port="${DEV_PORT:-18080}"
app_port="${APP_PORT:-18081}"
work="$(mktemp -d)"
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$cronctl" dev --memory --port "$dev_port" >"$work/dev.log" 2>&1 &
pids+=($!)
"$python" "$here/scripts/sdk_destination.py" "$app_port" >"$work/app.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  if curl -s -o /dev/null "http://127.0.0.1:$dev_port/_cronctl/clock" &&
     curl -s -o /dev/null "http://127.0.0.1:$app_port/"; then break; fi
  sleep 0.1
done

export QSTASH_URL="http://127.0.0.1:$dev_port"
export QSTASH_TOKEN="eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0="
export QSTASH_CURRENT_SIGNING_KEY="sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r"
export QSTASH_NEXT_SIGNING_KEY="sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs"
local_app="http://127.0.0.1:$app_port"
substitute() {  # the public destinations -> the local app, in every test file under $1
  grep -rlE 'mock\.httpstatus\.io|httpbin\.org' "$1" --include='*.py' --include='*.ts' |
    xargs -r sed -i -E "s#https://(mock\.httpstatus\.io|httpbin\.org)#$local_app#g"
}

reports=()
if [[ " $suites " == *" py "* ]]; then
  mkdir -p "$work/py"
  cp -r "$py_src/qstash" "$py_src/tests" "$work/py/"
  substitute "$work/py/tests"
  (cd "$work/py" && QSTASH_URL="$QSTASH_URL" PYTHONPATH="$work/py" \
    "$sdk_python" -m pytest -q -p no:cacheprovider --junitxml="$work/py.xml" \
    -o asyncio_mode=auto ${PY_ARGS:--k "not llm"} tests >"$work/py.out" 2>&1) || true
  tail -n 3 "$work/py.out"
  reports+=("qstash-py=$work/py.xml")
fi
if [[ " $suites " == *" js "* ]]; then
  mkdir -p "$work/js"
  (cd "$js_src" && tar -c --exclude=node_modules --exclude=.git .) | tar -x -C "$work/js"
  ln -s "$js_src/node_modules" "$work/js/node_modules"
  substitute "$work/js/src"
  (cd "$work/js" && bun test --timeout 60000 --reporter=junit \
    --reporter-outfile="$work/js.xml" ${JS_ARGS:-src} >"$work/js.out" 2>&1) || true
  tail -n 5 "$work/js.out"
  reports+=("qstash-js=$work/js.xml")
fi
"$python" "$here/scripts/sdk_report.py" "${reports[@]}"
if [[ -n "${KEEP:-}" ]]; then cp -r "$work" "$KEEP"; echo "outputs kept in $KEEP"; fi
