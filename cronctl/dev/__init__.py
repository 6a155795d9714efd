"""`cronctl dev`: a local, QStash-compatible HTTP server (Starlette on uvicorn, state in SQLite).

The credentials are the well-known ones of the official QStash dev server's first user, so an app
configured for that server works here unchanged. Kept free of heavy imports: the CLI reads these.
"""

from __future__ import annotations

TOKEN = "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0="
CURRENT_SIGNING_KEY = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r"
NEXT_SIGNING_KEY = "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs"
# The CRON_SECRET `cronctl dev` uses when its shell has none, so the example file runs with
# nothing exported (issue 33 item 4). Public like the token: the banner shows it for the app.
CRON_SECRET = "cronctl-dev-cron-secret"


def default_cron_secret() -> dict[str, str]:
    """Give this process (the server) the development CRON_SECRET when its shell has none: the
    file's ${CRON_SECRET} and the Vercel jobs' bearer, which a second terminal then reads from
    the server. Returns what it set, for the banner."""
    import os

    if os.environ.get("CRON_SECRET"):
        return {}
    os.environ["CRON_SECRET"] = CRON_SECRET
    return {"CRON_SECRET": CRON_SECRET}


def env_for(url: str) -> dict[str, str]:
    """The four variables an app (or cronctl itself) needs to talk to the server at `url`."""
    return {
        "QSTASH_URL": url,
        "QSTASH_TOKEN": TOKEN,
        "QSTASH_CURRENT_SIGNING_KEY": CURRENT_SIGNING_KEY,
        "QSTASH_NEXT_SIGNING_KEY": NEXT_SIGNING_KEY,
    }
