#!/usr/bin/env python3
"""Check the Next.js route of the docs (examples/app/nextjs/route.ts) against a real `cronctl
dev`, with the official `@upstash/qstash` from npm (a developer tool, not CI: it needs npm and
node; the suite checks that the committed result is current with the route).

    .venv/bin/python scripts/app-side-node.py          # writes examples/app/nextjs/verified.json

It installs @upstash/qstash and typescript@5 into a temporary directory, compiles the route as it
is (TypeScript's transpileModule), serves its GET and POST from a tiny node:http server that
hands them real `Request`s, starts `cronctl dev --app-url` at it (frozen clock) for a project
with a QStash, a Vercel and a runner job, and checks from a second terminal (nothing exported):
the QStash delivery verifies with the Receiver, the Vercel job and a runner trigger carry the
bearer, a QStash trigger --wait is delivered; and that a forged or stale signature, a changed
body, a wrong bearer and none are refused (401). The result, with the SHA-256 of the route file
it checked and the package versions, is written as JSON; exit 1 when a check failed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
ROUTE = ROOT / "examples" / "app" / "nextjs" / "route.ts"
RESULT = ROUTE.parent / "verified.json"
PROJECT = ROOT / "examples" / "app" / "schedules.yaml"
SECRET = "app-side-node-cron-secret-1337"
OTHER_KEY = "sig_someone_elses_signing_key_0000"  # not this QStash's
SERVER = """\
import http from "node:http";
import * as route from "./route.mjs";

const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const request = new Request(`http://${req.headers.host}${req.url}`, {
    method: req.method, headers: req.headers,
    body: ["GET", "HEAD"].includes(req.method) ? undefined : body,
  });
  const handler = route[req.method];
  const response = handler ? await handler(request) : new Response("", { status: 405 });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
});
server.listen(0, "127.0.0.1", () => console.log(`listening on ${server.address().port}`));
"""
COMPILE = """\
const ts = require("typescript");
const fs = require("fs");
const out = ts.transpileModule(fs.readFileSync(process.argv[1], "utf8"), {
  compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
});
fs.writeFileSync("route.mjs", out.outputText);
"""


def wait_for(check, what: str, bound_s: float = 120.0):
    deadline = time.monotonic() + bound_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        time.sleep(0.1)


def second_terminal() -> dict[str, str]:
    drop = ("QSTASH_URL", "QSTASH_TOKEN", "CRON_SECRET", "APP_URL", "CRONCTL_CONFIG")
    return {**{k: v for k, v in os.environ.items() if k not in drop}, "NO_COLOR": "1"}


def cronctl(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cronctl", *args], cwd=folder,
                          env=second_terminal(), capture_output=True, text=True, timeout=300)


def version(work: Path, package: str) -> str:
    return json.loads((work / "node_modules" / package / "package.json").read_text())["version"]


def main() -> int:
    from cronctl.dev import CURRENT_SIGNING_KEY, NEXT_SIGNING_KEY, TOKEN
    from cronctl.dev.signing import sign

    checks: list[dict] = []

    def check(name: str, expected: int, got: int | None) -> None:
        checks.append({"check": name, "expected": expected, "got": got, "ok": got == expected})
        print(f"{'ok  ' if got == expected else 'FAIL'} {name}: {got} (expected {expected})")

    with tempfile.TemporaryDirectory(prefix="cronctl-app-side-") as tmp:
        work = Path(tmp)
        subprocess.run(["npm", "init", "-y"], cwd=work, check=True, capture_output=True)
        # TypeScript 5: 7 (the Go port) has no transpileModule API.
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "@upstash/qstash",
                        "typescript@5"], cwd=work, check=True, capture_output=True)
        subprocess.run(["node", "-e", COMPILE, str(ROUTE)], cwd=work, check=True)
        (work / "server.mjs").write_text(SERVER)
        app_env = {**os.environ, "CRON_SECRET": SECRET,
                   "QSTASH_CURRENT_SIGNING_KEY": CURRENT_SIGNING_KEY,
                   "QSTASH_NEXT_SIGNING_KEY": NEXT_SIGNING_KEY}
        node = subprocess.Popen(["node", "server.mjs"], cwd=work, env=app_env,
                                stdout=subprocess.PIPE, text=True)
        project = work / "project"
        project.mkdir()
        (project / "schedules.yaml").write_bytes(PROJECT.read_bytes())
        dev_log = work / "dev.log"
        dev = None
        try:
            port = re.search(r"listening on (\d+)", node.stdout.readline() or "")
            if not port:
                raise SystemExit("the node server did not start")
            app_url = f"http://127.0.0.1:{port.group(1)}"
            with dev_log.open("w") as log:
                dev = subprocess.Popen(
                    [sys.executable, "-m", "cronctl", "dev", "--memory", "--port", "0",
                     "--app-url", app_url, "--clock", "frozen:2026-01-05T08:00:00Z"],
                    cwd=project, env={**second_terminal(), "CRON_SECRET": SECRET},
                    stdout=log, stderr=subprocess.STDOUT)
            url = wait_for(lambda: re.search(r"a local QStash at (\S+)", dev_log.read_text()),
                           "cronctl dev's banner").group(1)
            wait_for(lambda: "Applied " in dev_log.read_text(), "the first apply")
            httpx.post(f"{url}/_cronctl/advance?seconds=3600", trust_env=False, timeout=120,
                       headers={"Authorization": f"Bearer {TOKEN}"}).raise_for_status()

            def settled() -> dict | None:
                out = cronctl(project, "logs", "--since", "24h", "--json")
                runs = {r["job"]: r for r in json.loads(out.stdout or "{}").get("runs", [])}
                return runs if {"biz", "beat"} <= set(runs) and all(
                    runs[j]["state"] != "in-flight" for j in ("biz", "beat")) else None

            runs = wait_for(settled, "the scheduled runs")
            check("QStash schedule delivered, signature verified by the Receiver", 200,
                  runs["biz"]["status"])
            check("Vercel Cron job delivered with the bearer", 200, runs["beat"]["status"])
            for job, what in (("tick", "runner trigger with the bearer (second terminal)"),
                              ("biz", "QStash trigger --wait, verified (second terminal)")):
                done = cronctl(project, "trigger", job, "--yes", "--wait")
                check(what, 200, 200 if done.returncode == 0 and "delivered" in done.stdout
                      else done.returncode)
            target = f"{app_url}/api/cron/biz"
            body = b'{"run":1}'
            with httpx.Client(trust_env=False, timeout=30) as http:
                def post(signature: str, content: bytes = body) -> int:
                    return http.post(target, content=content,
                                     headers={"Upstash-Signature": signature}).status_code

                check("signed with the next key (a rotation)", 200,
                      post(sign(NEXT_SIGNING_KEY, target, body)))
                check("signed with another key", 401, post(sign(OTHER_KEY, target, body)))
                check("signature expired", 401,
                      post(sign(CURRENT_SIGNING_KEY, target, body, now=time.time() - 3600)))
                check("body changed after signing", 401,
                      post(sign(CURRENT_SIGNING_KEY, target, body), b'{"run":2}'))
                check("wrong bearer", 401, http.get(
                    target, headers={"Authorization": "Bearer not-the-secret"}).status_code)
                check("no signature, no bearer", 401, http.get(target).status_code)
        finally:
            for proc in (dev, node):
                if proc is not None and proc.poll() is None:
                    proc.terminate()
                    proc.wait(timeout=30)
        failed = sum(1 for c in checks if not c["ok"])
        result = {
            "route": str(ROUTE.relative_to(ROOT)),
            "route_sha256": hashlib.sha256(ROUTE.read_bytes()).hexdigest(),
            "script": "scripts/app-side-node.py",
            "node": subprocess.run(["node", "--version"], capture_output=True,
                                   text=True).stdout.strip(),
            "packages": {p: version(work, p) for p in ("@upstash/qstash", "typescript")},
            "checks": checks, "passed": len(checks) - failed, "failed": failed,
        }
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{len(checks) - failed} passed, {failed} failed; wrote {RESULT.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
