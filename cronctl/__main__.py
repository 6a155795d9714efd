"""`python -m cronctl` and the `cronctl` console script."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from . import environment
    from .cli import app

    try:
        with environment.active(environment.build()):  # the run's one Environment
            app(args=argv, prog_name="cronctl")
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        sys.stderr.write(f"{code}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
