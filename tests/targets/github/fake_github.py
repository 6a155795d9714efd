"""A loopback GitHub REST API for the github target's tests, held to GitHub's own OpenAPI
description (tests/fidelity/github/openapi.json, extracted by scripts/github_openapi.py from
github/rest-api-description as npm's @octokit/openapi ships it).

Every request is matched to a described operation and checked: path and query parameters
against their schemas (an undeclared query parameter is an error), the headers GitHub asks for,
and the JSON body against the operation's requestBody. Every answer is built from the
description's own examples (changed only in the fields a test sets) and checked against the
operation's response schema before it is sent. Whatever does not fit is recorded in `errors`
(and answered 500), so a test asserts `errors == []`.

    with FakeGitHub(token="t") as gh:
        gh.url, gh.calls, gh.errors
        gh.runs["cron-nightly.yml"] = [gh.run(id=1, event="schedule", ...)]
"""

from __future__ import annotations

import copy
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import jsonschema

SPEC_PATH = Path(__file__).resolve().parents[2] / "fidelity" / "github" / "openapi.json"


def openapi_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` as JSON Schema (a "null" type beside the others)."""
    if isinstance(node, list):
        return [openapi_to_jsonschema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: openapi_to_jsonschema(v) for k, v in node.items()}
    if out.pop("nullable", False) is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


class Spec:
    def __init__(self) -> None:
        self.doc = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
        self.schema_root = openapi_to_jsonschema(self.doc)
        self.routes = []
        for path, ops in self.doc["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)",
                                              re.escape(path)) + "$")
            for method, op in ops.items():
                self.routes.append((method.upper(), pattern, path, op))

    def resolve(self, node: dict) -> dict:
        while "$ref" in node:
            node = self.lookup(node["$ref"])
        return node

    def lookup(self, ref: str) -> Any:
        node = self.doc
        for part in ref.removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def pointer(self, *parts: str) -> str:
        return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)

    def errors(self, value: Any, ref: str) -> list[str]:
        """`value` against the schema at `ref` (a JSON pointer into the description)."""
        validator = jsonschema.Draft202012Validator(
            {**self.schema_root, "$ref": ref},
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                for e in validator.iter_errors(value)]

    def example(self, name: str) -> Any:
        return copy.deepcopy(self.doc["components"]["examples"][name]["value"])


SPEC: Spec | None = None


def spec() -> Spec:
    global SPEC
    if SPEC is None:
        SPEC = Spec()
    return SPEC


class FakeGitHub:
    def __init__(self, token: str = "ghp_test", default_branch: str = "main") -> None:
        self.spec = spec()
        self.token = token
        self.default_branch = default_branch
        self.calls: list[tuple[str, str, dict]] = []  # (operationId, path, query)
        self.bodies: list[Any] = []
        self.errors: list[str] = []
        self.runs: dict[str, list[dict]] = {}  # workflow file -> runs (newest first)
        self.states: dict[str, str] = {}  # workflow file -> state
        self.missing: set[str] = set()  # workflow files GitHub does not know
        self.next_run_id = 9_000_001
        self.lock = threading.Lock()

    # -- bodies built from GitHub's examples --------------------------------------------------
    def run(self, **fields: Any) -> dict:
        body = self.spec.example("workflow-run")
        body.update(fields)
        return body

    def _workflow(self, file: str) -> dict:
        body = self.spec.example("workflow")
        body.update(path=f".github/workflows/{file}", name=f"cron: {file}",
                    state=self.states.get(file, "active"),
                    created_at="2026-11-01T10:00:00Z")
        return body

    # -- the server ----------------------------------------------------------------------------
    def __enter__(self) -> FakeGitHub:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self)

            do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        with self.lock:
            status, body = self._answer(h.command, parts.path, query, h.headers, raw)
        data = b"" if body is None else json.dumps(body).encode()
        h.send_response(status)
        if body is not None:
            h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _fail(self, message: str) -> tuple[int, Any]:
        self.errors.append(message)
        return 500, {"message": message}

    def _answer(self, method: str, path: str, query: dict, headers, raw: bytes
                ) -> tuple[int, Any]:
        found = next(((pattern.match(path), template, op)
                      for op_method, pattern, template, op in self.spec.routes
                      if op_method == method and pattern.match(path)), None)
        if found is None:
            return self._fail(f"{method} {path}: no such operation in GitHub's description")
        m, template, op = found
        where = f"{op['operationId']}"
        before = len(self.errors)
        params = {unquote(k): v for k, v in m.groupdict().items()}
        self.calls.append((where, path, query))
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"message": "Bad credentials",
                         "documentation_url": "https://docs.github.com/rest"}
        if headers.get("Accept") != "application/vnd.github+json":
            self.errors.append(f"{where}: Accept is {headers.get('Accept')!r}")
        if headers.get("X-GitHub-Api-Version") != "2022-11-28":
            self.errors.append(f"{where}: no X-GitHub-Api-Version")
        declared = {}
        for p in op.get("parameters", []):
            p = self.spec.resolve(p)
            declared[(p["in"], p["name"])] = p
        for (where_in, name), p in declared.items():
            given = params.get(name) if where_in == "path" else query.get(name)
            if given is None:
                if p.get("required"):
                    self.errors.append(f"{where}: {where_in} parameter {name} missing")
                continue
            value: Any = given
            schema = self.spec.resolve(p["schema"])
            if schema.get("type") == "integer" or (where_in == "path" and given.isdigit()
                                                   and name != "workflow_id"):
                value = int(given) if given.lstrip("-").isdigit() else given
            elif schema.get("type") == "boolean":
                value = {"true": True, "false": False}.get(given, given)
            for e in self.spec.errors(value, self._param_ref(op, template, method, p)):
                self.errors.append(f"{where}: {where_in} parameter {name}: {e}")
        for name in query:
            if ("query", name) not in declared:
                self.errors.append(f"{where}: undeclared query parameter {name}")
        body = None
        if "requestBody" in op:
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                return self._fail(f"{where}: the body is not JSON")
            self.bodies.append(body)
            ref = self.spec.pointer("paths", template, method.lower(), "requestBody",
                                    "content", "application/json", "schema")
            self.errors += [f"{where}: body {e}" for e in self.spec.errors(body, ref)]
        elif raw:
            self.errors.append(f"{where}: a body where the operation takes none")
        if len(self.errors) > before:  # the request does not fit: GitHub's 422
            return 422, {"message": "Validation Failed",
                         "documentation_url": "https://docs.github.com/rest"}
        status, answer = self._serve(op["operationId"], params, query, body)
        content = op["responses"].get(str(status), {}).get("content")
        if str(status) not in op["responses"] and status < 400:
            return self._fail(f"{where}: status {status} is not a described response")
        if content and status < 400:
            ref = self.spec.pointer("paths", template, method.lower(), "responses",
                                    str(status), "content", "application/json", "schema")
            problems = self.spec.errors(answer, ref)
            if problems:
                return self._fail(f"{where}: the fake's own answer does not fit: {problems}")
        return status, answer

    def _param_ref(self, op: dict, template: str, method: str, p: dict) -> str:
        for i, x in enumerate(op.get("parameters", [])):
            if "$ref" in x and self.spec.resolve(x) is p:
                return x["$ref"] + "/schema"
            if x is p:
                return self.spec.pointer("paths", template, method.lower(), "parameters",
                                         str(i), "schema")
        raise AssertionError(p)

    def _serve(self, operation: str, params: dict, query: dict, body: Any
               ) -> tuple[int, Any]:
        file = params.get("workflow_id", "")
        not_found = (404, {"message": "Not Found",
                           "documentation_url": "https://docs.github.com/rest"})
        if file and file in self.missing:
            return not_found
        if operation == "repos/get":
            repo = self.spec.example("full-repository-default-response")
            repo["default_branch"] = self.default_branch
            # GitHub's own example lacks `language`, which its schema requires (nullable).
            for holder in (repo, repo.get("source"), repo.get("parent")):
                if isinstance(holder, dict):
                    holder.setdefault("language", None)
            return 200, repo
        if operation == "actions/get-workflow":
            return 200, self._workflow(file)
        if operation == "actions/list-workflow-runs":
            runs = [r for r in self.runs.get(file, [])
                    if not query.get("event") or r["event"] == query["event"]]
            per_page, page = int(query.get("per_page", 30)), int(query.get("page", 1))
            return 200, {"total_count": len(runs),
                         "workflow_runs": runs[(page - 1) * per_page:page * per_page]}
        if operation == "actions/create-workflow-dispatch":
            run_id = self.next_run_id
            self.next_run_id += 1
            self.runs.setdefault(file, []).insert(0, self.run(
                id=run_id, event="workflow_dispatch", status="queued", conclusion=None))
            if body and body.get("return_run_details"):
                answer = self.spec.example("workflow-dispatch-response")
                answer["workflow_run_id"] = run_id
                return 200, answer
            return 204, None
        if operation in ("actions/disable-workflow", "actions/enable-workflow"):
            self.states[file] = ("disabled_manually" if operation.endswith("disable-workflow")
                                 else "active")
            return 204, None
        if operation == "actions/get-workflow-run":
            for runs in self.runs.values():
                for r in runs:
                    if str(r["id"]) == params["run_id"]:
                        return 200, r
            return not_found
        return self._fail(f"the fake does not serve {operation}")
