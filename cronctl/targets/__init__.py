"""Where scheduled jobs run: the registry of target plugins (octoDNS's providers).

A target is one package under `cronctl/targets/` plus one `TargetPlugin` here. The plugin says
everything the rest of cronctl needs to know about it, by name, so nothing outside the package
names its fields:

    name, title       `target: <name>` in schedules.yaml; how a person reads it
    job_model         its jobs' format (a `config.model.JobFields` subclass): the keys it takes
    settings, key     its settings' format and the top-level key they live under (optional)
    build             file job -> the `Job`'s typed `spec` (and its timezone and labels)
    validate          a module with `settings(rep, ctx)` and `job(rep, base, name, job, ctx)`,
                      which report through the one `config.diagnostics.Reporter`
    dialect           settings -> its cron dialect (`cronctl.cron.get_dialect`)
    tier              the seed's tier that runs here unless the file's `tiers:` says otherwise
    hints, limits     field hints for messages; why it refuses another target's key
    target            its `Target` class (targets/base.py)

Everything heavy is an import string ("module:attribute"), loaded on first use: `cronctl
validate` reads the formats and rules and never imports a client, `--help` not even this.
The config union, the field hints, the JSON schema, the tier mapping and the engine's registry
are all derived from `plugins()`.

A target from outside cronctl is a distribution with an entry point in the `cronctl.targets`
group (as octoDNS finds providers by import path, and pytest its plugins by entry point):

    [project.entry-points."cronctl.targets"]
    ledger = "cronctl_ledger.plugin:PLUGIN"     # a TargetPlugin (or a function returning one)

It is loaded on first use of the registry, after the built-ins; one that fails to load, or
whose name a loaded target already has, is left out and said in `broken()` (cronctl still
runs; a file naming it gets "unknown target"). Code can also `register()` a plugin.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

_BUILTIN = (
    "cronctl.targets.vercel.plugin:PLUGIN",
    "cronctl.targets.qstash.plugin:PLUGIN",
    "cronctl.targets.kubernetes.plugin:PLUGIN",
    "cronctl.targets.runner.plugin:PLUGIN",
    "cronctl.targets.github.plugin:PLUGIN",
    "cronctl.targets.pg_cron.plugin:PLUGIN",
)


def load(ref: str) -> Any:
    """`"package.module:attribute"` -> the attribute (imported on first use)."""
    module, _, attr = ref.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split(".") if attr else ():
        obj = getattr(obj, part)
    return obj


@dataclass(frozen=True)
class TargetPlugin:
    name: str
    title: str
    job_model: str  # "module:Class": the format of its jobs
    target: str  # "module:Class": its Target (targets/base.py)
    build: str  # "module:function": (file job, BuildContext) -> dict(spec=..., timezone=...)
    validate: str | None = None  # "module": settings(rep, ctx) and job(rep, base, name, job, ctx)
    settings: str | None = None  # "module:Class": the format of its settings
    settings_key: str | None = None  # where they live at the top of the file
    settings_optional: bool = False  # True: absent unless the file has the key (None)
    dialect: str | None = None  # "module:function": (settings) -> cron.Dialect
    tier: str | None = None  # the seed's tier (infrastructure | business) it runs by default
    noun: str = "job"  # what `validate` counts, e.g. "business job"
    hints: dict[str, str] = field(default_factory=dict)  # field -> what it takes
    limits: tuple[str, str] = ("is not supported by this target", "remove it")  # (why, hint)
    reads: str | None = None  # "module:function": (jobs) -> top-level keys its jobs need set
    sends_cron_secret: bool = False  # it calls the app with CRON_SECRET from this environment
    # "module:function": () -> {"jobs": {...}, "settings": {...}}, the example jobs the
    # conformance kit (cronctl.testing.conformance) checks it with; None: two HTTP jobs
    example: str | None = None
    # "module": the provider's limits table and their check (targets/limits.py); None: none
    quotas: str | None = None

    def ref(self, attr: str) -> Any:
        """One of the plugin's import strings, loaded."""
        value = getattr(self, attr)
        return load(value) if isinstance(value, str) else value


_registry: dict[str, TargetPlugin] | None = None
_version = [0]  # bumped on register(): derived models are cached per version
_broken: dict[str, str] = {}  # entry point -> why it was left out
GROUP = "cronctl.targets"


def plugins() -> list[TargetPlugin]:
    """Every known target, in a stable order (the built-ins, then registered ones)."""
    global _registry
    if _registry is None:
        _registry = {}
        for ref in _BUILTIN:
            plugin = load(ref)
            _registry[plugin.name] = plugin
        _load_entry_points(_registry)
    return list(_registry.values())


def _load_entry_points(registry: dict[str, TargetPlugin]) -> None:
    from importlib.metadata import entry_points

    _broken.clear()
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        where = f"{ep.name} = {ep.value}" + (f" ({ep.dist.name})" if ep.dist else "")
        try:
            obj = ep.load()
            plugin = obj() if callable(obj) and not isinstance(obj, TargetPlugin) else obj
        except Exception as exc:  # a third party's import error must not stop cronctl
            _broken[where] = f"cannot be loaded: {type(exc).__name__}: {exc}"
            continue
        if not isinstance(plugin, TargetPlugin):
            _broken[where] = f"is a {type(plugin).__name__}, not a cronctl.targets.TargetPlugin"
        elif plugin.name in registry:
            _broken[where] = f"names target {plugin.name!r}, which is already registered"
        else:
            registry[plugin.name] = plugin


def broken() -> dict[str, str]:
    """Entry points of the `cronctl.targets` group that were left out, and why."""
    plugins()
    return dict(_broken)


def register(plugin: TargetPlugin) -> None:
    """Add (or replace) a target. Derived models and schemas are made again on next use."""
    plugins()
    assert _registry is not None
    _registry[plugin.name] = plugin
    _version[0] += 1


def unregister(name: str) -> None:
    plugins()
    assert _registry is not None
    _registry.pop(name, None)
    _version[0] += 1


def version() -> int:
    return _version[0]


def plugin(name: str) -> TargetPlugin:
    for p in plugins():
        if p.name == name:
            return p
    raise KeyError(name)


def names() -> tuple[str, ...]:
    return tuple(p.name for p in plugins())


def tier_targets() -> dict[str, str]:
    """Where each tier runs unless the file's `tiers:` mapping says otherwise."""
    return {p.tier: p.name for p in plugins() if p.tier}


def settings_of(config: Any, name: str) -> Any:
    """A target's settings in a loaded Config (None when its optional key is absent)."""
    return config.settings.get(name)


def dialect_of(config: Any, job: Any):
    """The one place a job's cron dialect is picked: its target's, with its settings."""
    p = plugin(job.target)
    return p.ref("dialect")(settings_of(config, p.name))


def target_class(name: str) -> type:
    return plugin(name).ref("target")
