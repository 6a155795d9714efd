"""The shape the code keeps: data flows one way, protocol knowledge stays in its target, and no
module grows past 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "cronctl"
MAX_LINES = 400


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_plan_render_and_engine_know_no_provider():
    for name in ("plan.py", "render.py", "engine.py"):
        imports = _imports(PACKAGE / name)
        assert not [i for i in imports if "qstash" in i or "vercel" in i or "kubernetes" in i
                    or i == "httpx"], (name, imports)


def test_commands_import_no_target_module_and_no_other_command():
    """A command knows the registry, the Target interface and the capabilities, never a
    target's own module (`targets/<name>/...`) and never another command."""
    interface = {"..targets", "..targets.base", "..targets.capabilities"}
    for path in (PACKAGE / "commands").glob("*.py"):
        imports = _imports(path)
        text = path.read_text(encoding="utf-8")
        assert "httpx" not in imports, path.name
        targets = [i for i in imports if i.startswith("..targets") and i not in interface]
        assert not targets, (path.name, targets)
        siblings = [i for i in imports if (i.startswith(".") and not i.startswith(".."))
                    or i.startswith("..commands")]
        assert not siblings, (path.name, siblings)
        for qstash_word in ("scheduleId", "Upstash-", "fromDate", "isPaused"):
            assert qstash_word not in text, (path.name, qstash_word)


def test_the_dashboard_names_no_provider():
    """cronctl ui reads every job through the engine and the Target interface: a new target
    (e.g. a runner) shows up without a change here. Its templates name none either."""
    ui = PACKAGE / "ui"
    for path in ui.glob("*.py"):
        imports = _imports(path)
        providers = [i for i in imports if any(p in i for p in ("qstash", "vercel", "kubernetes",
                                                                "runner"))]
        assert not providers, (path.name, providers)
        assert "httpx" not in imports, path.name
    for path in (ui / "templates").glob("*.html"):
        text = path.read_text(encoding="utf-8").lower()
        for word in ("qstash", "vercel", "kubernetes", "upstash"):
            assert word not in text, (path.name, word)


def test_the_config_layer_imports_nothing_above_it():
    # ..secrets (the Secret type) and ..urls (path and URL rules) are leaves: they import
    # nothing of cronctl but errors.
    # ..targets is the registry (it imports nothing; plugins are loaded by name on use).
    allowed = {"..errors", "..durations", "..", "...errors", "..secrets", "..urls",
               "..targets", "..environment"}
    for path in (PACKAGE / "config").glob("*.py"):
        for imp in _imports(path):
            if imp.startswith(".."):
                assert imp in allowed or imp == "..cron" or imp.startswith("..cron."), \
                    (path.name, imp)


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


# -- the import graph ---------------------------------------------------------------------------
def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Every module of the package and the package modules it imports, lazily or not (an import
    inside a function still ties the two modules together)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here[:len(here) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    edges.add(sub if sub in modules else target)
            elif isinstance(node, ast.Import):
                edges.update(a.name for a in node.names)
        graph[name] = {e for e in edges if e in modules and e != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_check_finds_a_cycle():
    """The control: the check sees a circle when there is one."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_graph()["cronctl.cli.history"] >= {"cronctl.cli.commands"}


def test_no_import_circle_in_the_package():
    assert cycles(import_graph()) == []


def test_the_registry_imports_nothing_of_cronctl():
    """`cronctl/targets/__init__.py` names its plugins as strings: importing it (config does)
    loads no target."""
    assert import_graph()["cronctl.targets"] == set()


def test_nothing_outside_a_target_names_its_fields():
    """A job's `spec` and a target's settings are read only inside `targets/<name>/`: elsewhere
    no `x.spec.field`, no `config.settings["name"]` and no `model.<settings key>`."""
    from cronctl import targets

    keys = {p.settings_key for p in targets.plugins() if p.settings_key}
    names = set(targets.names())
    own = {PACKAGE / "targets" / n for n in names}
    found = []
    for path in PACKAGE.rglob("*.py"):
        if any(folder in path.parents for folder in own):
            continue
        # (`cronctl dev` is a provider of its own: its messages have specs of their own)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(PACKAGE)}:{line}: {what}" for line, what in
                  _target_fields(tree, keys, names, specs="dev" not in path.parts)]
    assert found == [], "\n".join(found)


def test_the_field_check_finds_a_field():
    """The control: each kind of read is seen."""
    code = ("url = job.spec.url\nplan = config.vercel.plan\n"
            "s = config.settings['qstash']\nt = config.settings.get('kubernetes')\n"
            "fine = config.settings.get(name)\n")
    found = _target_fields(ast.parse(code), {"vercel"}, {"qstash", "kubernetes"})
    assert [what for _, what in found] == [
        "spec.url", "vercel", "settings of qstash", "settings of kubernetes"]


def _target_fields(tree: ast.AST, keys: set[str], names: set[str], *, specs: bool = True
                   ) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if (specs and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
                and node.value.attr == "spec"):
            found.append((line, f"spec.{node.attr}"))
        if (isinstance(node, ast.Attribute) and node.attr in keys
                and isinstance(node.value, ast.Name) and node.value.id in ("config", "model")):
            found.append((line, node.attr))
        if _reads_settings(node) in names:
            found.append((line, f"settings of {_reads_settings(node)}"))
    return sorted(found)


def _reads_settings(node: ast.AST) -> str | None:
    """`x.settings["qstash"]` or `x.settings.get("qstash")`: the target's name, else None."""
    if isinstance(node, ast.Subscript):
        holder, key = node.value, node.slice
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
          and node.func.attr == "get" and node.args):
        holder, key = node.func.value, node.args[0]
    else:
        return None
    if (isinstance(holder, ast.Attribute) and holder.attr == "settings"
            and isinstance(key, ast.Constant) and isinstance(key.value, str)):
        return key.value
    return None


def test_the_engine_presents_nothing():
    """It returns a SyncResult; present.py renders it (and asks, through the engine's hooks)."""
    graph = import_graph()
    assert "cronctl.present" in graph  # the control: the presenter is a module of the graph
    assert not graph["cronctl.engine"] & {"cronctl.app", "cronctl.output", "cronctl.ci",
                                          "cronctl.present"}, graph["cronctl.engine"]


def test_the_dev_server_knows_no_app_or_engine():
    """`cronctl dev` applies the file through a callback its command gives it."""
    graph = import_graph()
    dev = [m for m in graph if m == "cronctl.dev" or m.startswith("cronctl.dev.")]
    assert dev
    for module in dev:
        assert not graph[module] & {"cronctl.app", "cronctl.engine", "cronctl.present"}, module


def _reads_os_environ(tree: ast.AST) -> list[int]:
    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute)
            and n.attr == "environ" and isinstance(n.value, ast.Name) and n.value.id == "os"]


def test_only_the_environment_reads_os_environ():
    """One Environment per run (environment.py, built in main()): no module reads the
    process environment for a knob, a credential or a terminal by itself. (`cronctl dev`, the
    local server, is a program of its own.)"""
    assert _reads_os_environ(ast.parse("import os\nx = os.environ.get('A')\n")) == [2]
    found = {str(p.relative_to(PACKAGE)): lines for p in PACKAGE.rglob("*.py")
             if "dev" not in p.relative_to(PACKAGE).parts and p.name != "environment.py"
             and (lines := _reads_os_environ(ast.parse(p.read_text(encoding="utf-8"))))}
    assert found == {}


def test_targets_never_print():
    """A target tells the person through the command's callback (`Target.tell`, `on_done`
    for progress); it imports no output or app module."""
    graph = import_graph()
    modules = [m for m in graph if m.startswith("cronctl.targets.")]
    assert "cronctl.targets.qstash.connect" in modules
    for module in modules:
        assert not graph[module] & {"cronctl.output", "cronctl.app", "cronctl.present"}, module


# -- no target named outside targets/ (issue 29) -------------------------------------------------
# Where a name may still stand, and why. Everything else outside cronctl/targets/ finds targets
# through the registry (`targets.names()`, `plugins()`, the Target interface).
NAMED_BY_DESIGN = {
    "dev": "cronctl dev is a provider of its own: the local QStash and Vercel crons",
    "cron": "the shared grammar names the dialects it holds; a newer target's dialect lives in "
            "its package (targets/github/dialect.py)",
}
NAMED_LITERALS = {  # (module, literal): why
    ("commands/run.py", "runner"): "`cronctl run` is the runner target's own command",
    ("commands/exec_.py", "runner"): "`cronctl exec` is the runner target's own command",
    ("commands/dev.py", "qstash"): "`cronctl dev` applies the file's QStash jobs to itself",
    ("commands/import_.py", "vercel"): "import's --from-vercel flag (stable CLI)",
    ("commands/import_.py", "qstash"): "import's --from-qstash flag (stable CLI)",
    ("cli/commands.py", "--from-vercel"): "import's flag (stable CLI)",
    ("cli/commands.py", "--from-qstash"): "import's flag (stable CLI)",
    ("live_list.py", "vercel.json"): "list's deployed-versus-file columns of the Vercel rows",
    ("live_list.py", "in_vercel_json"): "list's deployed-versus-file columns of the Vercel rows",
}


def _docstrings(tree: ast.AST) -> set[int]:
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                          | ast.AsyncFunctionDef)
            and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)}


def named_targets(tree: ast.AST, names: set[str]) -> list[tuple[int, str]]:
    """String literals (not docstrings, not prose: no spaces) that are, or hold as a word, a
    target's name, e.g. "vercel", "--from-qstash", "vercel.json"."""
    import re

    words = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(map(re.escape, sorted(names)))
                       + r")(?![A-Za-z0-9])")
    docs = _docstrings(tree)
    return sorted((node.lineno, node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and id(node) not in docs and " " not in node.value.strip()
                  and words.search(node.value))


def test_the_name_check_finds_a_name():
    """The control: a list of targets in a command is seen; prose and docstrings are not."""
    code = ('"""Writes vercel.json."""\nrequire = ("vercel", "kubernetes")\n'
            'flag = "--from-qstash"\nhint = "see Vercel\'s dashboard"\n')
    assert named_targets(ast.parse(code), {"vercel", "kubernetes", "qstash"}) == [
        (2, "kubernetes"), (2, "vercel"), (3, "--from-qstash")]


def test_no_module_outside_targets_names_a_target():
    """`generate` asked for vercel and kubernetes by name, so a new file target's unset
    ${APP_URL} was written into its file: lists of targets come from the registry."""
    from cronctl import targets

    names = set(targets.names()) | {p.settings_key for p in targets.plugins() if p.settings_key}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "targets" and len(rel.parts) > 1 or rel.parts[0] in NAMED_BY_DESIGN:
            continue
        for line, literal in named_targets(ast.parse(path.read_text(encoding="utf-8")), names):
            if (rel.as_posix(), literal) not in NAMED_LITERALS:
                found.append(f"{rel}:{line}: {literal!r}")
    assert found == [], "\n".join(found)
