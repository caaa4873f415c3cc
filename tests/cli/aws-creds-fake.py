"""A loopback stand-in for the credential endpoints a CI job has (t0087): the ECS
container endpoint, IMDSv2 and GitHub Actions' OIDC token endpoint.

    python3 aws-creds-fake.py PORTFILE LOGFILE

Listens on 127.0.0.1 (a free port, written to PORTFILE) and answers, checking
each request as the real service would:

  GET /ecs/creds            Authorization must be $FAKE_ECS_TOKEN, else 401
  PUT /latest/api/token     X-aws-ec2-metadata-token-ttl-seconds required, else 400
  GET /latest/meta-data/iam/security-credentials/[ROLE]
                            X-aws-ec2-metadata-token must be the token handed out, else 401
  GET /gh/token?...&audience=sts.amazonaws.com
                            Authorization must be "bearer $FAKE_GH_BEARER", else 403

Credentials handed out: key id $FAKE_KEY_ID, secret $FAKE_SECRET, token $FAKE_SESSION,
expiring in an hour - or, for GET /ecs/short, in two minutes (inside meshgate's five-minute
refresh margin: every call fetches them again).  LOGFILE gets one line per request, "METHOD PATH STATUS" (never
a header value).
"""
import datetime
import json
import os
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

IMDS_TOKEN = os.environ["FAKE_IMDS_TOKEN"]
ROLE = "meshgate-runner"


def document(imds, seconds=3600):
    when = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
    d = {"AccessKeyId": os.environ["FAKE_KEY_ID"], "SecretAccessKey": os.environ["FAKE_SECRET"],
         "Token": os.environ["FAKE_SESSION"], "Expiration": when}
    if imds:
        d.update({"Code": "Success", "Type": "AWS-HMAC", "LastUpdated": when})
    return json.dumps(d).encode()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def answer(self, status, body=b"", ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        with open(sys.argv[2], "a") as log:
            log.write("%s %s %d\n" % (self.command, urllib.parse.urlsplit(self.path).path, status))

    def do_PUT(self):
        if self.path == "/latest/api/token":
            if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self.answer(400)
            return self.answer(200, IMDS_TOKEN.encode(), "text/plain")
        self.answer(404)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path in ("/ecs/creds", "/ecs/short"):
            if self.headers.get("Authorization") != os.environ["FAKE_ECS_TOKEN"]:
                return self.answer(401)
            return self.answer(200, document(False, 120 if url.path == "/ecs/short" else 3600))
        if url.path.startswith("/latest/meta-data/iam/security-credentials/"):
            if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
                return self.answer(401)
            rest = url.path[len("/latest/meta-data/iam/security-credentials/"):]
            if rest == "":
                return self.answer(200, ROLE.encode(), "text/plain")
            if rest == ROLE:
                return self.answer(200, document(True))
            return self.answer(404)
        if url.path == "/gh/token":
            query = urllib.parse.parse_qs(url.query)
            if self.headers.get("Authorization") != "bearer " + os.environ["FAKE_GH_BEARER"]:
                return self.answer(403)
            if query.get("audience") != ["sts.amazonaws.com"]:
                return self.answer(400)
            return self.answer(200, json.dumps({"count": 1, "value": os.environ["FAKE_WEB_TOKEN"]}).encode())
        self.answer(404)


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
