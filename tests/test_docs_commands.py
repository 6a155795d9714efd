"""Every `$ cronctl ...` command the documentation shows (README.md and docs/**/*.md, in
```console blocks) is run, page by page, in the order a reader meets them: on a copy of the
repository's example (schedules.yaml, vercel.json), with a real `cronctl dev` started the way
the page starts it (a subprocess, found by the other commands through .cronctl/dev.json as in
a second terminal) and a local app that answers the jobs. The page's `export`s and `VAR=value`
prefixes apply as in a shell. Only the commands in SKIP do not run, each for its stated reason.

Stand-ins, the same for every page: "your app" (http://localhost:3000, the file's default
base_url) is a ReceiverApp on a free port, named by APP_URL in both terminals; `cronctl dev`
listens on a free port (`--port 0`, so runs in parallel never collide on 8080); a QStash the
page names at http://127.0.0.1:8080 (what `cronctl dev --no-apply` prints) is a fresh
in-process DevServer. A page that shows
commands without starting `cronctl dev` itself is read with one running in another terminal, as
getting started leaves it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cronctl import output
from cronctl.__main__ import main
from cronctl.testing import DevServer, ReceiverApp
from tests.dev.conftest import DevProcess, poll, second_terminal

REPO_ROOT = Path(__file__).resolve().parents[1]
PAGES = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]
EXAMPLE = ("schedules.yaml", "vercel.json", "schedules.schema.json")

# (page, command as written) -> why it is not run here.
SKIP: dict[tuple[str, str], str] = {
    ("docs/dashboard.md", "cronctl ui"):
        "a server that runs until stopped; tests/ui drive it over HTTP and in Chromium",
    ("docs/getting-started.md", "cronctl ui"):
        "a server that runs until stopped; tests/ui drive it over HTTP and in Chromium",
    ("docs/targets/runner.md", "cronctl run"):
        "a scheduler that runs until stopped; tests/targets/runner run it",
    ("docs/targets/runner.md", "cronctl logs nightly-report"):
        "the runner page's own schedules.yaml (its nightly-report job is not in the example)",
    ("docs/targets/qstash.md", "cronctl diff"):
        "against the real QStash (QSTASH_TOKEN from the Upstash console, QSTASH_URL unset)",
    ("docs/targets/qstash.md", "cronctl schedule --yes"):
        "against the real QStash (QSTASH_TOKEN from the Upstash console, QSTASH_URL unset)",
}
# (page, command) -> what its output says, where the page says what to expect.
SAYS: dict[tuple[str, str], str] = {
    ("docs/getting-started.md", "cronctl diff"): "9 to create",
    ("docs/getting-started.md", "cronctl --version"): "cronctl",
    ("README.md", "cronctl trigger appointment-reminders --yes --wait"): "delivered",
    ("docs/getting-started.md", "cronctl trigger appointment-reminders --yes --wait"):
        "delivered",
}
# (page, command) -> the situation the page describes before it, which the test sets up.
BEFORE: dict[tuple[str, str], str] = {
    ("docs/getting-started.md",
     "cronctl import --from-qstash --from-vercel vercel.json -o schedules.yaml"):
        "scripts",  # "Migrating from hand-written scripts": their schedules, no schedules.yaml
}
DEV_QSTASH = "http://127.0.0.1:8080"
YOUR_APP = "http://localhost:3000"


@dataclass
class Line:
    """One `$ ...` line of a console block: its environment prefix and its words."""

    text: str  # as written, comment removed
    env: dict[str, str] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)

    @property
    def command(self) -> str:
        return " ".join(self.words)


def console_lines(page: Path) -> list[Line]:
    lines: list[Line] = []
    for block in re.findall(r"^```console\n(.*?)^```", page.read_text(), re.S | re.M):
        for raw in block.splitlines():
            if raw.startswith("$ "):
                words = shlex.split(raw[2:], comments=True)
                env = {}
                while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
                    name, _, value = words.pop(0).partition("=")
                    env[name] = value
                lines.append(Line(raw[2:], env, words))
    return lines


def test_the_pages_show_commands_and_every_skip_names_a_shown_command():
    shown = {(str(p.relative_to(REPO_ROOT)), line.command)
             for p in PAGES for line in console_lines(p)}
    assert {c for _, c in shown if c.startswith("cronctl ")} >= {
        "cronctl dev", "cronctl validate", "cronctl list", "cronctl diff"}
    for table in (SKIP, SAYS, BEFORE):
        stale = set(table) - shown
        assert not stale, f"no longer in the docs (remove them here): {stale}"


class Reader:
    """A reader following one page: a folder with the example, a shell's environment, the
    `cronctl dev` the page started, the app its jobs call."""

    def __init__(self, folder: Path, app: ReceiverApp, monkeypatch, capsys) -> None:
        self.folder, self.app, self.mp, self.capsys = folder, app, monkeypatch, capsys
        # Nothing exported, but where the app is: the file's `${APP_URL:-http://localhost:3000}`
        # (both terminals read it alike)
        self.shell = second_terminal(APP_URL=app.url)
        self.devs: list[DevProcess] = []
        self.qstash: DevServer | None = None
        self.extra: list[DevServer] = []

    def stand_in(self, value: str) -> str:
        if value == DEV_QSTASH:
            if self.qstash is None:
                self.qstash = DevServer(memory=True).__enter__()
            return self.qstash.url
        return value.replace(YOUR_APP, self.app.url)

    def export(self, line: Line) -> None:
        for word in line.words[1:]:
            name, _, value = word.partition("=")
            if "$(" not in value:  # a generated token (the dashboard's): not the CLI's concern
                self.shell[name] = self.stand_in(value)

    def start_dev(self, line: Line) -> None:
        env = {**self.shell, **{k: self.stand_in(v) for k, v in line.env.items()}}
        args = [self.stand_in(w) for w in line.words[2:]]
        dev = DevProcess(self.folder, args, env)
        self.devs.append(dev)
        poll(lambda: re.search(r"Applied \d+ change|No changes|not applied", dev.log()),
             "cronctl dev applying schedules.yaml", wait_s=120)  # a bound, not a speed
        assert "not applied" not in dev.log(), dev.log()

    def run(self, line: Line) -> tuple[int, str, str]:
        """The command in this process, with the shell's environment (as tests/conftest.py's
        `cli` runs the CLI)."""
        env = {**self.shell, **{k: self.stand_in(v) for k, v in line.env.items()}}
        with self.mp.context() as mp:
            for name in set(os.environ) - set(env):
                mp.delenv(name)
            for name, value in env.items():
                mp.setenv(name, value)
            mp.setattr(output, "_scrubber", output.Scrubber())
            self.capsys.readouterr()
            code = main([self.stand_in(w) for w in line.words[1:]])
            out = self.capsys.readouterr()
        return code, out.out, out.err

    def scripts(self) -> None:
        """A new folder with the app's vercel.json and no schedules.yaml, and a QStash
        holding what hand-written scripts made: schedules cronctl does not own."""
        from qstash import QStash

        self.folder = self.folder / "from-scripts"
        self.folder.mkdir()
        shutil.copy(REPO_ROOT / "vercel.json", self.folder)
        self.mp.chdir(self.folder)
        self.qstash = self.qstash or DevServer(memory=True).__enter__()
        scripts = DevServer(memory=True).__enter__()
        self.extra.append(scripts)
        sdk = QStash(scripts.token, base_url=scripts.url)
        bearer = {"Authorization": f"Bearer {self.shell['CRON_SECRET']}"}
        sdk.schedule.create(destination=f"{self.app.url}/api/cron/appointment-reminders",
                            cron="CRON_TZ=Europe/Lisbon 0 9 * * *", headers=bearer, retries=5)
        sdk.schedule.create(destination=f"{self.app.url}/api/cron/process-tasks",
                            cron="*/15 * * * *", headers=bearer)
        self.shell["QSTASH_URL"] = scripts.url

    def close(self) -> None:
        for server in self.extra:
            server.__exit__(None, None, None)
        for dev in self.devs:
            dev.stop()
        if self.qstash is not None:
            self.qstash.__exit__(None, None, None)


def reads_only_files(line: Line) -> bool:
    """A command that asks no provider (the page needs no `cronctl dev` for it)."""
    words = line.words[1:]
    return (words[:1] in (["validate"], ["generate"], ["next"], ["schema"], ["init"],
                          ["--version"]) or words[:2] == ["list", "--local"])


def shows_cronctl(page: Path) -> bool:
    name = str(page.relative_to(REPO_ROOT))
    return any(line.words[:1] == ["cronctl"] and (name, line.command) not in SKIP
               for line in console_lines(page))


@pytest.mark.parametrize("page", [p for p in PAGES if shows_cronctl(p)],
                         ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_every_command_on_the_page_runs(page, tmp_path, monkeypatch, capsys):
    name = str(page.relative_to(REPO_ROOT))
    lines = console_lines(page)
    for file in EXAMPLE:
        shutil.copy(REPO_ROOT / file, tmp_path / file)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CRONCTL_POLL_INTERVAL", "0.05")
    with ReceiverApp() as app:
        reader = Reader(tmp_path, app, monkeypatch, capsys)
        started = any(line.words[:2] == ["cronctl", "dev"] for line in lines)
        try:
            for line in lines:
                if line.words[:1] == ["export"]:
                    reader.export(line)
                elif line.words[:1] != ["cronctl"] or (name, line.command) in SKIP:
                    continue
                if situation := BEFORE.get((name, line.command)):
                    getattr(reader, situation)()
                if line.words[:1] == ["export"]:
                    continue
                elif line.words[1:2] == ["dev"]:
                    reader.start_dev(line)
                else:
                    if not started and not reads_only_files(line):
                        reader.start_dev(Line("cronctl dev", words=["cronctl", "dev"]))
                        started = True
                    code, out, err = reader.run(line)
                    assert code == 0, f"{name}: $ {line.text}\n{out}\n{err}"
                    says = SAYS.get((name, line.command))
                    assert says is None or says in out + err, f"{name}: $ {line.text}\n{out}"
        finally:
            reader.close()


# -- the commands page: every command, and only options that exist -----------------------------

def cli_commands() -> dict:
    import typer.main

    from cronctl.cli import app

    return dict(typer.main.get_command(app).commands)


def test_the_commands_page_has_every_command_and_names_only_real_options():
    commands = cli_commands()
    rows = [line for line in (REPO_ROOT / "docs/commands.md").read_text().splitlines()
            if line.startswith("| `cronctl ")]
    documented = {}
    for row in rows:
        cell = row.split("` |", 1)[0]
        names = re.findall(r"(?:`cronctl |/ `)([a-z]+)", cell)
        for name in names:
            documented[name] = cell
    missing = set(commands) - set(documented)
    assert not missing, f"not on docs/commands.md: {missing}"
    for name, cell in documented.items():
        assert name in commands, f"docs/commands.md names no such command: {name}"
        options = {o for p in commands[name].params for o in (*p.opts, *p.secondary_opts)}
        for option in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", cell):
            assert option in options, f"docs/commands.md: cronctl {name} has no {option}"


@pytest.mark.parametrize("name", ["README.md", "CONTRIBUTING.md"])
def test_the_pages_outside_the_site_link_to_files_that_exist(name):
    """mkdocs build --strict checks the site's links; these two pages are read on GitHub."""
    text = (REPO_ROOT / name).read_text()
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [link for link in links if "://" not in link]
    assert local, "no relative link found"
    for link in local:
        assert (REPO_ROOT / link).exists(), f"{name} links to {link}, which does not exist"
