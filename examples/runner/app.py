"""A stand-in app for the compose example: 200 for a cron call with the right bearer, 401
without it. It prints the run ID and scheduled time the runner sends (drop duplicates by them)."""

import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = os.environ.get("CRON_SECRET", "")


class App(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        ok = self.headers.get("Authorization") == f"Bearer {SECRET}"
        print(self.path, self.headers.get("X-Cronctl-Run-Id"),
              self.headers.get("X-Cronctl-Scheduled-At"), "ok" if ok else "refused", flush=True)
        body = b'{"done": true}' if ok else b'{"error": "unauthorized"}'
        self.send_response(200 if ok else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST


ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "3000"))), App).serve_forever()
