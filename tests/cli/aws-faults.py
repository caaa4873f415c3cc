#!/usr/bin/env python3
"""aws-faults.py - a fault-injecting AWS endpoint in front of another (moto), for
tests/cli/t0086-lakeformation-faults.sh and t0089-state-lock.sh (GET, PUT and DELETE too).  Python 3 standard library only.

    aws-faults.py --upstream http://127.0.0.1:PORT --port-file FILE --rate 0.3 [--rate-file F] --seed N --log FILE

Listens on a free loopback port (written to --port-file).  Each request is forwarded to the
upstream, or - with probability --rate - suffers one fault, as Lake Formation's own failures
look on the wire:

  throttle     429 ThrottlingException (Retry-After: 0), not forwarded
  unavailable  503 ServiceUnavailableException, not forwarded
  concurrent   400 ConcurrentModificationException, not forwarded
  partial      a Batch*Permissions call: some entries are not forwarded and come back in
               Failures with ConcurrentModificationException; the rest are applied
  truncated    forwarded (so it took effect), then the answer is cut short
  dropped      forwarded (so it took effect), then the connection is closed unanswered

With --unknown-principal PRINCIPAL:N (repeatable), the first N BatchGrantPermissions calls
that hold entries for PRINCIPAL answer those entries in Failures with InvalidInputException "Invalid
principal" (not forwarded), as Lake Formation does right after IAM created a role; the rest
are forwarded.  ListPermissions is never faulted with 'partial'.  Every decision is logged, one line per
request, so a failing run can be replayed with the same seed.
"""
import argparse
import http.client
import http.server
import json
import os
import random
import socket
import sys
import threading
import urllib.parse

FAULTS = ["throttle", "unavailable", "concurrent", "partial", "truncated", "dropped"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--rate", type=float, default=0.3)
    ap.add_argument("--rate-file", help="read 'RATE [KIND,KIND...]' from this file on every request (the test changes it)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--unknown-principal", action="append", default=[], help="PRINCIPAL:N (repeatable)")
    ap.add_argument("--steal-file", help="when this file exists, the first S3 request after a conditional PUT "
                    "was answered 200 first overwrites that object with the file's content (then the file is removed): "
                    "another run taking a lock that was broken under this one; a first line '@DELETE' waits for "
                    "the DELETE (after the run read its lock back)")
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    up = urllib.parse.urlparse(a.upstream)
    rng = random.Random(a.seed)
    lock = threading.Lock()
    log = open(a.log, "a", buffering=1)
    created = []  # paths of objects a conditional PUT created
    unknown = {}  # principal -> calls still to refuse
    for spec in a.unknown_principal:
        who, _, n = spec.rpartition(":")
        unknown[who] = int(n)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def forward(self, body):
            c = http.client.HTTPConnection(up.hostname, up.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("content-length", "connection")}
            headers["Content-Length"] = str(len(body))
            c.request(self.command, self.path, body=body, headers=headers)
            r = c.getresponse()
            data = r.read()
            hdrs = [(k, v) for k, v in r.getheaders()
                    if k.lower() not in ("content-length", "connection", "transfer-encoding")]
            c.close()
            return r.status, hdrs, data

        def answer(self, status, body, headers=(), cut=False):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if cut else body)
            self.wfile.flush()
            if cut:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)

        def error(self, status, code, message, retry_after=False):
            body = json.dumps({"__type": code, "message": message}).encode()
            hdrs = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code),
                    ("x-amzn-RequestId", "fault-%d" % rng.randrange(10 ** 9))]
            if retry_after:
                hdrs.append(("Retry-After", "0"))
            self.answer(status, body, hdrs)

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n)
            op = self.path.split("?")[0]
            rate, kinds = a.rate, FAULTS
            if a.steal_file and self.command in ("GET", "DELETE"):
                with lock:
                    path = self.path.split("?")[0]
                    try:
                        with open(a.steal_file, "rb") as f:
                            theirs = f.read()
                    except OSError:
                        theirs = None
                    if theirs is not None and theirs.startswith(b"@DELETE\n"):
                        # steal only at the DELETE: between the run's read of its lock and its delete
                        theirs = theirs[len(b"@DELETE\n"):] if self.command == "DELETE" else None
                    if theirs is not None and path in created:
                        c = http.client.HTTPConnection(up.hostname, up.port, timeout=30)
                        # as the same caller (moto keeps objects per account), the payload unsigned
                        h = {k: v for k, v in self.headers.items()
                             if k.lower() not in ("content-length", "connection", "x-amz-content-sha256")}
                        h["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
                        h["Content-Length"] = str(len(theirs))
                        c.request("PUT", path, body=theirs, headers=h)
                        st = c.getresponse()
                        st.read()
                        c.close()
                        os.remove(a.steal_file)
                        log.write("%s %s stolen (%d)\n" % (self.command, path, st.status))
            if a.rate_file:
                try:
                    with open(a.rate_file) as f:
                        words = f.read().split()
                    rate = float(words[0]) if words else 0.0
                    if len(words) > 1:
                        kinds = words[1].split(",")
                except (OSError, ValueError):
                    pass
            if op == "/BatchGrantPermissions" and unknown:
                req = json.loads(body)
                entries = req.get("Entries", [])
                mine = []
                with lock:
                    for who in sorted({e["Principal"]["DataLakePrincipalIdentifier"] for e in entries}):
                        if unknown.get(who, 0) > 0:
                            unknown[who] -= 1
                            mine += [e for e in entries if e["Principal"]["DataLakePrincipalIdentifier"] == who]
                            log.write("%s unknown-principal %s\n" % (op, who))
                if mine:
                    req["Entries"] = [e for e in entries if e not in mine]
                    if req["Entries"]:
                        status, hdrs, data = self.forward(json.dumps(req).encode())
                        ans = json.loads(data or b"{}")
                    else:
                        status, hdrs, ans = 200, [("Content-Type", "application/json")], {}
                    ans["Failures"] = (ans.get("Failures") or []) + [
                        {"RequestEntry": e, "Error": {"ErrorCode": "InvalidInputException",
                                                      "ErrorMessage": "Invalid principal"}} for e in mine]
                    return self.answer(status, json.dumps(ans).encode(), hdrs)
            with lock:
                fault = rng.choice(kinds) if rng.random() < rate else "none"
                if fault == "partial" and "Batch" not in op:
                    fault = "none"
                log.write("%s %s\n" % (op, fault))
            if fault == "throttle":
                return self.error(429, "ThrottlingException", "Rate exceeded", retry_after=True)
            if fault == "unavailable":
                return self.error(503, "ServiceUnavailableException", "Service unavailable")
            if fault == "concurrent":
                return self.error(400, "ConcurrentModificationException", "Another change is in progress")
            if fault == "partial":
                req = json.loads(body)
                entries = req.get("Entries", [])
                with lock:
                    failed = [e for e in entries if rng.random() < 0.5]
                req["Entries"] = [e for e in entries if e not in failed]
                status, hdrs, data = self.forward(json.dumps(req).encode())
                ans = json.loads(data or b"{}")
                ans.setdefault("Failures", [])
                ans["Failures"] = (ans["Failures"] or []) + [
                    {"RequestEntry": e, "Error": {"ErrorCode": "ConcurrentModificationException",
                                                  "ErrorMessage": "Try again"}} for e in failed]
                return self.answer(status, json.dumps(ans).encode(), hdrs)
            status, hdrs, data = self.forward(body)
            if self.command == "PUT" and self.headers.get("If-None-Match") and status == 200:
                with lock:
                    created.append(self.path.split("?")[0])
            if fault == "dropped":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.answer(status, data, hdrs, cut=(fault == "truncated"))

    # S3's REST calls (a state.lock object) go through the same faults
    Handler.do_GET = Handler.do_PUT = Handler.do_DELETE = Handler.do_POST
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(a.port_file, "w") as f:
        f.write(str(srv.server_address[1]))
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
