"""Secrets never appear: for every command, with -v and --json where it has one, the QStash
token, CRON_SECRET and forwarded header values are absent from stdout, stderr and every file
cronctl writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from cronctl.testing import ReceiverApp

API_KEY = "forwarded-api-key-value-42"

COMMANDS = [
    ("validate",), ("validate", "--json"),
    ("generate",), ("generate", "--check"),
    ("list", "--local"), ("list", "--local", "--json"),
    ("next", "a"), ("next", "a", "--json"),
    ("diff",), ("diff", "--json"), ("diff", "--markdown"),
    ("schedule", "--yes"), ("schedule", "--yes", "--json"),
    ("list",), ("list", "--json"),
    ("stats",), ("stats", "--json"),
    ("probe",), ("probe", "--json"),
    ("trigger", "a", "--yes"), ("trigger", "a", "--yes", "--json"),
    ("trigger", "beat", "--yes"),
    ("pause", "a"), ("resume", "a"),
    ("import", "-o", "imported.yaml", "--force"), ("import",),
    ("cleanup", "--all", "--dry-run"), ("cleanup", "--all", "--dry-run", "--json"),
    ("schema",),
]


def written_files(folder: Path) -> str:
    """Every file in the project folder but the user's own schedules.yaml."""
    return "\n".join(p.read_text(errors="replace") for p in folder.rglob("*")
                     if p.is_file() and p.name != "schedules.yaml")


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_no_secret_in_output_or_files(project, args, monkeypatch):
    from cronctl.dev.vercel_api import vercel_env

    for name, value in vercel_env(project.server.url).items():  # the Vercel side is read too
        monkeypatch.setenv(name, value)
    with ReceiverApp() as app:
        infra = ("  beat:\n    tier: infrastructure\n    path: /api/beat\n"
                 '    schedule: "0 6 * * *"\n')
        header = "diagnostics:\n  components: [database]\n"
        project.write(project.job("a", extra=f"headers:\n  X-Api-Key: {API_KEY}") + infra,
                      header=header)
        path = project.folder / "schedules.yaml"
        path.write_text(path.read_text().replace("https://app.example.com", app.url))
        project.run("schedule", "--yes")  # so list/stats/pause have something to show
        blobs = []
        for verbosity in ((), ("-vv",)):
            result = project.run(*verbosity, *args)
            assert "Traceback" not in result.err
            blobs += [result.out, result.err]
        blobs.append(written_files(project.folder))
        text = "\n".join(blobs)
        for secret in (project.secret, project.server.token, API_KEY):
            assert secret not in text, f"{secret[:6]}... leaked by {' '.join(args)}"
