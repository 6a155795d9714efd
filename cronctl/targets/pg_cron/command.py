"""The SQL a pg_cron job runs (`cron.job.command`), made from the file alone (no database):
the job's own SQL, or a pg_net call to the app with the bearer read when it runs.

An HTTP job calls Supabase's pg_net with named arguments (sql/pg_net.sql of supabase/pg_net):

    net.http_get(url text, params jsonb, headers jsonb, timeout_milliseconds int) -> bigint
    net.http_post(url text, body jsonb, params jsonb, headers jsonb,
                  timeout_milliseconds int) -> bigint

The Authorization header is built inside the command from Supabase Vault
(`vault.decrypted_secrets`) or a database setting (`current_setting`): cron.job holds where the
secret is, never the secret.
"""

from __future__ import annotations

import json

from .model import parse_bearer


def literal(text: str) -> str:
    """A SQL string literal, read the same whatever standard_conforming_strings says: with a
    backslash in it, an escape string (E'...'), as psycopg quotes."""
    quoted = text.replace("'", "''")
    if "\\" in text:
        return "E'" + quoted.replace("\\", "\\\\") + "'"
    return "'" + quoted + "'"


def bearer_sql(bearer: str) -> str | None:
    """The SQL expression that reads the secret when the job runs (None: no Authorization)."""
    kind, name = parse_bearer(bearer)
    if kind == "vault":
        return ("(SELECT decrypted_secret FROM vault.decrypted_secrets WHERE name = "
                f"{literal(name)})")
    if kind == "setting":
        return f"current_setting({literal(name)})"
    return None


def http_command(url: str, method: str, body: object, timeout_s: int | None,
                 bearer: str) -> str:
    """`SELECT net.http_post(...)` (or http_get) for this call."""
    headers = ["'Content-Type', 'application/json'"] if method == "POST" else []
    auth = bearer_sql(bearer)
    if auth is not None:
        headers.append(f"'Authorization', 'Bearer ' || {auth}")
    args = [f"url := {literal(url)}"]
    if method == "POST":
        text = json.dumps(body if body is not None else {}, separators=(",", ":"),
                          ensure_ascii=False, sort_keys=True)
        args.append(f"body := {literal(text)}::jsonb")
    args.append(f"headers := jsonb_build_object({', '.join(headers)})")
    if timeout_s is not None:
        args.append(f"timeout_milliseconds := {int(timeout_s) * 1000}")
    fn = "net.http_post" if method == "POST" else "net.http_get"
    return f"SELECT {fn}({', '.join(args)})"


def sql_command(sql: str) -> str:
    return sql.strip()
