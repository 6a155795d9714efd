"""Asks pg_cron's own parser, compiled from its source, about the corpus: for the versions
Debian does not package (Supabase runs 1.6). Writes source-<major.minor>.json beside
corpus.json. Run on 1.4.2's source, its answers are the real 1.4.2 engine's (test_fidelity.py
checks that), which proves the harness.

    git clone -b v1.6.7 https://github.com/citusdata/pg_cron /tmp/pg_cron
    python tests/fidelity/pg_cron/engine_source.py /tmp/pg_cron      # needs gcc

The harness is pg_cron's code, unchanged: src/entry.c and src/misc.c whole, and
`ParseSchedule` and `TryParseInterval` cut verbatim out of src/job_metadata.c (the two steps
`cron.schedule` takes before it stores a job; before 1.5 it called `parse_cron_entry` alone).
Only PostgreSQL itself is stood in for: `elog` does nothing and `asc_tolower` lowercases ASCII,
as PostgreSQL's does. Each schedule goes in as a length and its bytes; out comes 1 (accepted)
or 0.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
POSTGRES_H = """#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <ctype.h>
#include <stdint.h>
#include <stdbool.h>
typedef uint32_t uint32;
#define LOG 15
#define DEBUG1 14
#define elog(...) ((void) 0)
static char *asc_tolower(const char *s, size_t n) {
    char *out = malloc(n + 1);
    for (size_t i = 0; i < n; i++) out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i];
    out[n] = 0;
    return out;
}
"""
MAIN = """
%(main_program)s
#include "cron.h"
%(functions)s
int main(void) {
    static char buf[1 << 20];
    unsigned int n;
    while (fread(&n, sizeof n, 1, stdin) == 1) {
        if (n >= sizeof buf || fread(buf, 1, n, stdin) != n) return 2;
        buf[n] = 0;
        entry *e = ParseSchedule(buf);
        putchar(e != NULL ? '1' : '0');
        if (e) free(e);
    }
    return 0;
}
"""


def cut(source: str, name: str) -> str:
    """`static <type>\\nname(...) { ... }` out of a C file, verbatim."""
    m = re.search(rf"^(static [^\n]*\n{name}\(.*?^}})", source, re.S | re.M)
    if not m:
        raise SystemExit(f"{name} not found")
    return m.group(1)


def build(src: Path, out: Path) -> Path:
    meta = (src / "src" / "job_metadata.c").read_text(encoding="utf-8")
    if "ParseSchedule" in meta:
        functions = "\n".join(cut(meta, f) for f in ("TryParseInterval", "ParseSchedule"))
    else:  # before 1.5, cron.schedule called parse_cron_entry alone
        functions = "static entry *ParseSchedule(char *s) { return parse_cron_entry(s); }"
    (out / "postgres.h").write_text(POSTGRES_H, encoding="utf-8")
    # cron.h defines its globals (MonthNames, DowNames, ...) where MAIN_PROGRAM is set, as
    # pg_cron.c does; from 1.5 entry.c defines the names itself
    entry = (src / "src" / "entry.c").read_text(encoding="utf-8")
    main_program = "" if "*MonthNames[] = {" in entry else "#define MAIN_PROGRAM"
    (out / "main.c").write_text('#include "postgres.h"\n' + MAIN % {
        "functions": functions, "main_program": main_program}, encoding="utf-8")
    binary = out / "parse"
    subprocess.run(["gcc", "-O1", "-w", "-I", str(out), "-I",
                    str(src / "include"), str(src / "src" / "entry.c"),
                    str(src / "src" / "misc.c"), str(out / "main.c"), "-o", str(binary)],
                   check=True)
    return binary


def ask(binary: Path, exprs: list[str]) -> list[bool]:
    data = b"".join(len(e.encode()).to_bytes(4, sys.byteorder) + e.encode() for e in exprs)
    out = subprocess.run([str(binary)], input=data, capture_output=True, check=True).stdout
    return [c == ord("1") for c in out]


def version_of(src: Path) -> str:
    return re.search(r"default_version = '([^']+)'",
                     (src / "pg_cron.control").read_text(encoding="utf-8")).group(1)


def main() -> None:
    src = Path(sys.argv[1])
    sys.path.insert(0, str(HERE))
    from generate import corpus  # noqa: PLC0415

    exprs = [e for e in corpus() if "\0" not in e]
    with tempfile.TemporaryDirectory() as tmp:
        answers = ask(build(src, Path(tmp)), exprs)
    tag = subprocess.run(["git", "-C", str(src), "describe", "--tags"], capture_output=True,
                         text=True).stdout.strip() or version_of(src)
    data = {"engine": f"pg_cron {tag}: entry.c, misc.c, ParseSchedule and TryParseInterval "
                      "compiled by engine_source.py",
            "cases": [[e, a] for e, a in zip(exprs, answers, strict=True)]}
    out = HERE / f"source-{tag.lstrip('v')[:3]}.json"
    out.write_text(json.dumps(data, indent=0) + "\n", encoding="utf-8")
    print(f"{tag}: {len(exprs)} schedules, {sum(answers)} accepted")


if __name__ == "__main__":
    main()
