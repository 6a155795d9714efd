"""Regenerate tests/fidelity/vercel/golden.json: Vercel's own validators' verdicts on the corpus.

    python scripts/vercel_golden.py                 # needs node and npm (the npm registry)
    python scripts/vercel_golden.py --vercel 64.0.2 --keep /tmp/vercel-validators

It installs, into a temporary folder, the `vercel` CLI package (npm pack, unpacked: only its
bundled validators are run) and cron-parser, ajv and @vercel/config at the versions the CLI
bundles or that are named below, then runs scripts/vercel_verdicts.cjs over
tests/fidelity/corpus/cron.json (and the zone names of corpus/zones.json) and writes one verdict
per validator and expression, with the packages' names and versions. The test suite
(tests/fidelity/test_vercel_golden.py) reads only the JSON: no node there.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fidelity" / "corpus" / "cron.json"
ZONES = ROOT / "tests" / "fidelity" / "corpus" / "zones.json"
GOLDEN = ROOT / "tests" / "fidelity" / "vercel" / "golden.json"
HARNESS = Path(__file__).resolve().parent / "vercel_verdicts.cjs"
# cron-parser and ajv: the versions bundled in vercel 64.0.2's dist (its dev and build
# commands name them in their module paths); @vercel/config: the vercel.ts SDK.
PACKAGES = {"cron-parser": "5.4.0", "ajv": "6.12.3", "@vercel/config": "0.7.2"}


def run(cmd: list[str], cwd: Path) -> str:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return proc.stdout


def install(work: Path, vercel: str) -> tuple[Path, Path, dict[str, str]]:
    (work / "package.json").write_text('{"private": true}\n', encoding="utf-8")
    run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--no-save",
         *(f"{name}@{version}" for name, version in PACKAGES.items())], work)
    tarball = run(["npm", "pack", f"vercel@{vercel}"], work).strip().splitlines()[-1]
    run(["tar", "xzf", tarball], work)
    cli = work / "package"
    modules = work / "node_modules"
    versions = {"vercel": json.loads((cli / "package.json").read_text("utf-8"))["version"]}
    for name in PACKAGES:
        meta = json.loads((modules / name / "package.json").read_text("utf-8"))
        versions[name] = meta["version"]
    return cli, modules, versions


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vercel", default="64.0.2", help="the vercel CLI version (npm)")
    ap.add_argument("--keep", type=Path, help="install here and keep it (default: a temp dir)")
    args = ap.parse_args()
    if not (shutil.which("node") and shutil.which("npm")):
        raise SystemExit("needs node and npm")
    work = args.keep or Path(tempfile.mkdtemp(prefix="vercel-validators-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        cli, modules, versions = install(work, args.vercel)
        corpus = json.loads(CORPUS.read_text("utf-8"))["cases"]
        zones = json.loads(ZONES.read_text("utf-8"))["zones"]
        request = {"exprs": [c["expr"] for c in corpus], "zones": zones}
        proc = subprocess.run(["node", str(HARNESS)], input=json.dumps(request),
                              env={"PATH": subprocess.os.environ["PATH"], "VERCEL_CLI": str(cli),
                                   "NODE_MODULES": str(modules)},
                              capture_output=True, text=True, check=False)
        if proc.returncode:
            sys.stderr.write(proc.stderr)
            return 1
        answer = json.loads(proc.stdout)
        verdicts = answer["cases"]
        node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True)
        versions["node"] = node.stdout.strip()  # its Intl (ICU) judges the zones
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    head = {
        "about": "Vercel's own cron validators on tests/fidelity/corpus/cron.json: true = "
                 "accepted, else the validator's message. Regenerate: python "
                 "scripts/vercel_golden.py (node + npm). crons_add = `vercel crons add` "
                 "(validateCronSchedule); json_crons = the CLI's vercel.json schema for crons "
                 "(ajv); schedules = Vercel Schedules as `vercel dev` validates them (schema, "
                 "parseCron, cron-parser strict); config_sdk = @vercel/config's Router.cron; "
                 "zones = a Vercel Schedules timezone (schema, validateTimezone) on "
                 "tests/fidelity/corpus/zones.json.",
        "packages": versions,
    }
    # One case (and one zone) per line: reviewable diffs when a package or the corpus changes.
    lines = ",\n".join(json.dumps(v, ensure_ascii=True) for v in verdicts)
    zones = ",\n".join(f"{json.dumps(z)}: {json.dumps(v)}" for z, v in answer["zones"].items())
    text = f'{json.dumps(head)[:-1]}, "cases": [\n{lines}\n],\n"zones": {{\n{zones}\n}}}}\n'
    GOLDEN.write_text(text, encoding="utf-8")
    print(f"{len(verdicts)} expressions, {versions} -> {GOLDEN}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
