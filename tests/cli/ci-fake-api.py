#!/usr/bin/env python3
"""ci-fake-api.py DIR - a loopback stand-in for the parts of GitHub's and
GitLab's REST APIs that scripts/ci-comment.sh and scripts/ci-oidc-token.sh use.

Reads DIR/seed.json ({"github": [comments], "gitlab": [notes]}), the token it
accepts from the environment (FAKE_TOKEN), listens on 127.0.0.1 on a free port
written to DIR/port, appends each request to DIR/requests.jsonl (method, path,
query, whether the token was right, the JSON body; never the token) and writes
the comments after each change to DIR/state.json.  FAKE_READONLY=1 answers
every write with 403, as GitHub does to a fork's pull-request token.

  GET    /repos/O/R/issues/N/comments?per_page&page    Link: rel="next" paging
  POST   /repos/O/R/issues/N/comments                  author github-actions[bot]
  PATCH  /repos/O/R/issues/comments/ID
  GET    /api/v4/user                                  {"id": 77}
  GET    /api/v4/projects/P/merge_requests/N/notes     X-Next-Page paging
  POST   /api/v4/projects/P/merge_requests/N/notes     author 77
  PUT    /api/v4/projects/P/merge_requests/N/notes/ID
  GET    /oidc?audience=A                              {"value": "oidc-for-A"}
"""
import json
import os
import re
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

DIR = sys.argv[1]
TOKEN = os.environ["FAKE_TOKEN"]
READONLY = os.environ.get("FAKE_READONLY") == "1"
state = json.load(open(os.path.join(DIR, "seed.json")))
next_id = 1 + max([c["id"] for k in ("github", "gitlab") for c in state.get(k, [])] + [1000])
BOT_LOGIN, BOT_ID = "github-actions[bot]", 77


def save():
    tmp = os.path.join(DIR, "state.json.tmp")
    with open(tmp, "w") as f:
        json.dump(state, f, indent=1, sort_keys=True)
    os.replace(tmp, os.path.join(DIR, "state.json"))


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def create(self, items, fields, body):
        global next_id
        c = dict(fields, id=next_id, body=body["body"])
        next_id += 1
        items.append(c)
        save()
        return self.reply(201, c)

    def update(self, items, ident, body, missing):
        for c in items:
            if c["id"] == ident:
                c["body"] = body["body"]
                save()
                return self.reply(200, c)
        return self.reply(404, {"message": missing})

    def handle_any(self, method):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = "not json"
        auth = self.headers.get("Authorization") or ""
        private = self.headers.get("PRIVATE-TOKEN") or ""
        oidc = self.headers.get("Authorization") == "Bearer " + TOKEN and url.path == "/oidc"
        github_ok = auth == "Bearer " + TOKEN
        gitlab_ok = private == TOKEN
        with open(os.path.join(DIR, "requests.jsonl"), "a") as f:
            f.write(json.dumps({"method": method, "path": url.path, "query": query,
                                "auth": github_ok or gitlab_ok or oidc, "body": body}) + "\n")

        if url.path == "/oidc":
            if not oidc:
                return self.reply(401, {"message": "bad request token"})
            return self.reply(200, {"value": "oidc-for-" + query.get("audience", "")})

        m = re.fullmatch(r"/repos/[^/]+/[^/]+/issues/(\d+)/comments", url.path)
        e = re.fullmatch(r"/repos/[^/]+/[^/]+/issues/comments/(\d+)", url.path)
        if m or e:
            if not github_ok:
                return self.reply(401, {"message": "Bad credentials"})
            items = state["github"]
            if m and method == "GET":
                mine = [c for c in items if c["issue"] == int(m.group(1))]
                per, page = int(query.get("per_page", 30)), int(query.get("page", 1))
                links = []
                if page * per < len(mine):
                    links = [("Link", '<http://127.0.0.1/next?page=%d>; rel="next", <x>; rel="last"' % (page + 1))]
                return self.reply(200, mine[(page - 1) * per:page * per], links)
            if READONLY:
                return self.reply(403, {"message": "Resource not accessible by integration"})
            if m and method == "POST":
                return self.create(items, {"issue": int(m.group(1)), "user": {"login": BOT_LOGIN}}, body)
            if e and method == "PATCH":
                return self.update(items, int(e.group(1)), body, "Not Found")

        if url.path.startswith("/api/v4/"):
            if not gitlab_ok:
                return self.reply(401, {"message": "401 Unauthorized"})
            if url.path == "/api/v4/user" and method == "GET":
                return self.reply(200, {"id": BOT_ID, "username": "project_1_bot"})
            m = re.fullmatch(r"/api/v4/projects/([^/]+)/merge_requests/(\d+)/notes", url.path)
            e = re.fullmatch(r"/api/v4/projects/([^/]+)/merge_requests/(\d+)/notes/(\d+)", url.path)
            items = state["gitlab"]
            if m and method == "GET":
                mine = [c for c in items if c["mr"] == int(m.group(2))]
                per, page = int(query.get("per_page", 20)), int(query.get("page", 1))
                nxt = str(page + 1) if page * per < len(mine) else ""
                return self.reply(200, mine[(page - 1) * per:page * per], [("X-Next-Page", nxt)])
            if READONLY and (m or e):
                return self.reply(403, {"message": "403 Forbidden"})
            if m and method == "POST":
                return self.create(items, {"mr": int(m.group(2)), "author": {"id": BOT_ID}, "system": False}, body)
            if e and method == "PUT":
                return self.update(items, int(e.group(3)), body, "404 Not found")
        return self.reply(404, {"message": "no route %s %s" % (method, url.path)})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PATCH(self):
        self.handle_any("PATCH")

    def do_PUT(self):
        self.handle_any("PUT")


server = HTTPServer(("127.0.0.1", 0), Handler)
save()
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.replace(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
server.serve_forever()
