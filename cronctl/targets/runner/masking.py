"""What a runner job's command sees, and what the ledger never holds.

A command gets only its own environment: its `env:`, the base set below (so programs find
their tools, home, locale and zone), the names its `pass_env:` lists, and the run's
CRONCTL_JOB / CRONCTL_RUN_ID / CRONCTL_SCHEDULED_AT / CRONCTL_ATTEMPT. The runner's own
credentials (CRONCTL_DATABASE_URL, CRONCTL_UI_TOKENS, CRON_SECRET, QSTASH_TOKEN, ...) are
never inherited. `cronctl exec` wraps a command in its caller's environment (a container's, a
shell's), which it passes on, without cronctl's own CRONCTL_* variables.

Every text the ledger stores (a run's result, error and user; the recorded job specs) goes
through `LedgerMask` first: each secret the configuration and the environment know is
replaced by `***` — values of ${VARS}, header values, CRON_SECRET, QSTASH_TOKEN, VERCEL_TOKEN,
signing keys, the UI tokens, any variable whose name says it is secret, database passwords,
notification URLs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ...secrets import ENV_SECRETS, Scrubber, dsn_credentials, reveal, url_credentials

BASE_ENV = ("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR",
            "TERM")
BASE_ENV_PREFIXES = ("LC_",)
_SECRET_NAME = re.compile(r"SECRET|TOKEN|KEY|PASSWORD|PASSWD|PASS|AUTH|CREDENTIAL|PRIVATE",
                          re.I)
_URL_VARS = ("CRONCTL_DATABASE_URL", "DATABASE_URL", "QSTASH_URL", "VERCEL_API_URL")


def command_env(job: Any, environ: Mapping[str, str], run: Mapping[str, str]) -> dict[str, str]:
    """A scheduled or triggered command's environment (see the module's note)."""
    env = {k: v for k, v in environ.items()
           if k in BASE_ENV or k.startswith(BASE_ENV_PREFIXES)}
    env.update({k: environ[k] for k in getattr(job, "pass_env", ()) if k in environ})
    return {**env, **job.env, **run}


def exec_env(job: Any, environ: Mapping[str, str], run: Mapping[str, str]) -> dict[str, str]:
    """`cronctl exec`: the caller's environment without cronctl's own variables."""
    env = {k: v for k, v in environ.items() if not k.startswith("CRONCTL_")}
    return {**env, **job.env, **run}


def ui_tokens(text: str) -> list[str]:
    """The TOKEN of each USER:ROLE:TOKEN entry (lenient: never raises)."""
    entries = (e.strip() for line in text.splitlines() for e in line.split("#", 1)[0].split(","))
    return [parts[2] for e in entries if len(parts := e.split(":", 2)) == 3 and parts[2]]


class LedgerMask:
    """Masks every known secret in a text before the ledger stores it."""

    def __init__(self, config: Any = None, environ: Mapping[str, str] | None = None,
                 extra: Iterable[str] = ()) -> None:
        self.scrubber = Scrubber()
        env = dict(environ or {})
        force = self.scrubber.add
        force((env.get(n) for n in ENV_SECRETS), force=True)
        force((v for k, v in env.items() if _SECRET_NAME.search(k)), force=True)
        force(ui_tokens(env.get("CRONCTL_UI_TOKENS", "")), force=True)
        for name in _URL_VARS:
            force(url_credentials(env.get(name)), force=True)
        force(extra, force=True)
        if config is not None:
            self._config(config)

    def _config(self, config: Any) -> None:
        add = self.scrubber.add
        add(getattr(config, "secrets", ()) or (), force=True)
        settings = (getattr(config, "settings", {}) or {}).get("runner")
        shown = {getattr(config, "base_url", None), getattr(settings, "base_url", None)}
        # every ${VAR}'s value (but where HTTP jobs call: plans and lists show it anyway)
        add(v for v in (getattr(config, "interpolated", {}) or {}).values()
            if v.rstrip("/") not in {(u or "").rstrip("/") for u in shown if u})
        urls: list[str] = list(getattr(settings, "notify", None) or ())
        if settings is not None:
            add(url_credentials(settings.database) + dsn_credentials(settings.database), force=True)
        for job in getattr(config, "jobs", ()):
            model = getattr(getattr(job, "spec", None), "model", None)
            if model is None:
                continue
            urls.extend(getattr(model, "notify", None) or ())
            add((reveal(v) for k, v in (getattr(model, "headers", None) or {}).items()
                 if v and k.lower() != "content-type"), force=True)
            add((v for k, v in (getattr(model, "env", None) or {}).items()
                 if _SECRET_NAME.search(k)), force=True)
        for url in urls:  # a notification URL is a credential whole (slack://T/B/XXXX)
            add([url], force=True)
            add(url_credentials(url), force=True)

    def text(self, value: str | None) -> str | None:
        return None if value is None else self.scrubber.text(value)

    def spec(self, spec: dict[str, Any]) -> dict[str, Any]:
        """A job's recorded spec: its texts that can carry a secret (the command's arguments,
        the URL, the folder) masked; its schedule, zone and policies kept as they are, so the
        runner and `cronctl list` can read them."""
        out = dict(spec)
        for key in ("url", "workdir"):
            if isinstance(out.get(key), str):
                out[key] = self.text(out[key])
        if isinstance(out.get("command"), list):
            out["command"] = [self.text(a) if isinstance(a, str) else a for a in out["command"]]
        return out
