"""`cronctl probe` for pg_cron: the database answers, its pg_cron is the version the file
says, pg_net and the bearer's source exist for HTTP jobs, cron.job matches the file, and
cron.job_run_details is kept from growing without bound."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ...errors import CronctlError
from ..base import Check
from .client import display_url

# Supabase's advice: cron.job_run_details is never cleaned by pg_cron itself.
RETENTION_ROWS = 100_000
RETENTION_AGE = timedelta(days=30)
CLEANUP = ("SELECT cron.schedule('cronctl-run-details-cleanup', '0 3 * * *', "
           "$$DELETE FROM cron.job_run_details WHERE end_time < now() - interval '7 days'$$)")


def probe(target) -> list[Check]:
    try:
        url = target.database_url()
        client = target.client
        version = client.version()
    except CronctlError as exc:
        return [Check("pg_cron database", "fail", str(exc), exc.hint)]
    where = display_url(url)
    if version is None:
        return [Check("pg_cron database", "fail", f"{where}: the pg_cron extension is not "
                      "installed in this database", "CREATE EXTENSION pg_cron (in the database "
                      "of cron.database_name; on Supabase: Integrations > Cron)")]
    checks = [Check("pg_cron database", "ok", f"{where} (pg_cron {version})")]
    said = target.settings.version
    if not version.startswith(said):
        checks.append(Check("pg_cron version", "warn", f"the server has pg_cron {version}; "
                            f"the file validates schedules for {said}",
                            f"set pg_cron: {{version: \"{version[:3]}\"}}"))
    if any(j.spec.model.path is not None for j in target.jobs):
        checks += _http(target, client)
    try:
        plan = target.plan(target.desired(), target.populate())
    except CronctlError as exc:
        return [*checks, Check("pg_cron jobs", "fail", str(exc), exc.hint)]
    checks.append(Check("pg_cron jobs", "warn" if plan.has_changes else "ok",
                        "cron.job differs from the file" if plan.has_changes else
                        f"{len(target.jobs)} in cron.job, as in the file",
                        "'cronctl diff' shows what differs; 'cronctl schedule' applies it"
                        if plan.has_changes else None))
    checks.append(retention(client))
    return checks


def _http(target, client) -> list[Check]:
    out = []
    if not client.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_net'"):
        out.append(Check("pg_net", "fail", "HTTP jobs call net.http_post/http_get, and pg_net "
                         "is not installed", "CREATE EXTENSION pg_net (Supabase: Database > "
                         "Extensions)"))
    from .model import parse_bearer

    bearer = target.settings.bearer
    kind, name = parse_bearer(bearer)
    if kind == "setting" and client.setting(name) is None:
        out.append(Check("bearer", "fail", f"the setting {name} is not set in the "
                         "database: HTTP jobs would fail", "ALTER DATABASE <db> SET "
                         f"{name} = '<CRON_SECRET>' (then reconnect)"))
    elif kind == "vault":
        try:
            found = client.query("SELECT count(*) FROM vault.decrypted_secrets WHERE name = %s",
                                 (name,))[0][0]
        except CronctlError:
            found = None
        if not found:
            out.append(Check("bearer", "fail", f"no Vault secret named {name!r}"
                             if found == 0 else "Supabase Vault is not available here",
                             f"SELECT vault.create_secret('<CRON_SECRET>', '{name}')"
                             if found == 0 else "use bearer: setting:app.cron_secret"))
    if not out:
        out.append(Check("bearer", "ok", f"read from {bearer} when a job runs"))
    return out


def retention(client) -> Check:
    count, oldest = client.run_details_count()
    old = oldest is not None and datetime.now(UTC) - oldest > RETENTION_AGE
    if count > RETENTION_ROWS or old:
        return Check("cron.job_run_details", "warn",
                     f"{count} rows" + (f", the oldest from {oldest:%Y-%m-%d}" if oldest else "")
                     + ": pg_cron never deletes them", f"schedule a cleanup: {CLEANUP}")
    return Check("cron.job_run_details", "ok", f"{count} rows (pg_cron never deletes them; "
                 "see the pg_cron page for a cleanup job)")


def delivery_health(target, fail_on: int | None) -> list[Check]:
    try:
        rows = target.stats(target.jobs, 0)[0] if target.jobs else []
    except CronctlError:
        return []
    out = []
    for s in rows:
        if s.consecutive_failures:
            bad = fail_on is not None and s.consecutive_failures >= fail_on
            out.append(Check(f"{s.job} runs", "fail" if bad else "warn",
                             f"{s.consecutive_failures} failed in a row",
                             f"cronctl logs {s.job} --state failed"))
    return out
