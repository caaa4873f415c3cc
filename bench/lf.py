#!/usr/bin/env python3
"""meshgate's lakeformation backend against a local Lake Formation endpoint (moto's server),
with the API calls counted: plan + apply of about 10,000 operations, then a change, then drift.

Starts moto's server (python3 -m moto.server) and a counting proxy (tests/cli/aws-faults.py
with no faults) on loopback ports, and stops both afterwards, also on failure.  Needs python3
with moto and boto3 (not Debian packages): without them it says so and exits 77.

    bench/lf.py --meshgate build/meshgate                 # 500 products x 2 tables x 7 consumers
    bench/lf.py --meshgate build/meshgate --products 50   # smaller

Writes bench/out/lf-results.json and prints a Markdown table.  Targets (issue 11): plan + apply
of 10,000 grants <= 5 s of meshgate's own CPU; batched calls <= 1/20 of the operations.
The wall time is mostly moto's (Python); meshgate's CPU is what the target is about.
"""

import argparse
import collections
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(HERE, "..", "tests", "cli")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def timed(cmd, cwd, env):
    tf = tempfile.mktemp()
    p = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf] + cmd, cwd=cwd, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with open(tf) as f:
        wall, user, syst, rss = f.read().split()[-4:]
    os.unlink(tf)
    if p.returncode not in (0, 1):
        sys.stderr.write(p.stderr)
        raise SystemExit("%s exited %d" % (cmd[1], p.returncode))
    return {"wall_s": float(wall), "cpu_s": float(user) + float(syst), "rss_mib": int(rss) / 1024.0,
            "status": p.returncode, "stderr_tail": p.stderr.strip().splitlines()[-1:] }


def write(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f)


def catalogue(repo, n, consumers, pii):
    for i in range(n):
        name = "lp%04d" % i
        d = os.path.join(repo, "data-products-catalogue", "prod", name)
        write(d + "/data-product.json", {"data-product-name": name, "data-product-owner": "o@example.com"})
        write(d + "/data-product-producer-info.json", {
            "account-type": "aws", "producer-role-arn": "arn:aws:iam::222233334444:role/p",
            "producer-account-id": "222233334444", "bucket-name": "lb-%04d" % i})
        write(d + "/data-product-outputs.json", {"outputs": {
            t: {"file-format": "parquet", "port-type": "blob", "location": "s3://lb-%04d/%s" % (i, t),
                "columns": [{"name": c, "type": "string"} for c in ("id", "day", "amount", "country", "email")]}
            for t in ("t0", "t1")}})
        write(d + "/data-product-visibility.json", {"tables": [
            {"name": t, "visibility": "internal", "columns": [{"name": c, "pii": True} for c in pii]}
            for t in ("t0", "t1")]})
        write(d + "/data-product-consumers.json", {"consumers": [
            {"account": "5%011d" % ((i + k) % 97), "type": "lakeformation", "contact": "c@example.com"}
            for k in range(consumers)]})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--meshgate", required=True)
    ap.add_argument("--products", type=int, default=500)
    ap.add_argument("--consumers", type=int, default=7)
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    a = ap.parse_args()
    try:
        import moto.server  # noqa: F401
        import boto3  # noqa: F401
    except ImportError:
        print("SKIP: python3 has no moto/boto3 (pip install 'moto[server]' boto3 where you can)", file=sys.stderr)
        return 77
    mg = os.path.abspath(a.meshgate)
    os.makedirs(a.out, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="mg-lf-bench-", dir=a.out)
    procs = []
    results = {"products": a.products, "consumers": a.consumers}
    try:
        mport = free_port()
        procs.append(subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(mport)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(100):
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/moto-api/" % mport, timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        log = os.path.join(scratch, "calls.log")
        pfile = os.path.join(scratch, "port")
        procs.append(subprocess.Popen([sys.executable, os.path.join(TESTS, "aws-faults.py"), "--upstream",
                                       "http://127.0.0.1:%d" % mport, "--port-file", pfile, "--rate", "0",
                                       "--log", log]))
        for _ in range(100):
            if os.path.exists(pfile) and open(pfile).read():
                break
            time.sleep(0.1)
        url = "http://127.0.0.1:%s" % open(pfile).read()
        repo = os.path.join(scratch, "repo")
        os.makedirs(repo)
        with open(os.path.join(repo, "meshgate.yaml"), "w") as f:
            f.write("catalogue: data-products-catalogue\nprotected-branch: main\nenvironments:\n  prod:\n"
                    "    backend: {type: lakeformation, region: eu-west-1, catalog-id: \"222233334444\", "
                    "endpoint-url: \"%s\"}\n" % url)
        catalogue(repo, a.products, a.consumers, ["email"])
        git = ["git", "-C", repo, "-c", "user.name=b", "-c", "user.email=b@example.com"]
        subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True)
        subprocess.run(git + ["add", "-A"], check=True)
        subprocess.run(git + ["commit", "-q", "-m", "catalogue"], check=True)
        env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDBENCH", AWS_SECRET_ACCESS_KEY="bench-secret", NO_COLOR="1",
                   HOME=scratch)
        for k in ("GITHUB_REF", "CI_COMMIT_BRANCH", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
            env.pop(k, None)

        def calls():
            c = collections.Counter()
            if os.path.exists(log):
                for line in open(log):
                    c[line.split()[0]] += 1
            open(log, "w").close()
            return dict(c)

        def ops_of(stderr_tail):
            for line in stderr_tail:
                if "applied" in line:
                    return int(line.split("applied")[1].split()[0])
            return None

        results["plan"] = timed([mg, "plan", "-C", repo, "--today", "2026-06-01"], repo, env)
        calls()
        results["apply_first"] = timed([mg, "apply", "-C", repo, "--today", "2026-06-01"], repo, env)
        results["apply_first"]["calls"] = calls()
        results["apply_first"]["operations"] = ops_of(results["apply_first"]["stderr_tail"])
        # the change: country becomes pii everywhere (each table's SELECT narrowed)
        catalogue(repo, a.products, a.consumers, ["email", "country"])
        subprocess.run(git + ["add", "-A"], check=True)
        subprocess.run(git + ["commit", "-q", "-m", "country is pii"], check=True)
        results["apply_change"] = timed([mg, "apply", "-C", repo, "--today", "2026-06-01"], repo, env)
        results["apply_change"]["calls"] = calls()
        results["apply_change"]["operations"] = ops_of(results["apply_change"]["stderr_tail"])
        results["drift"] = timed([mg, "drift", "-C", repo, "--today", "2026-06-01"], repo, env)
        results["drift"]["calls"] = calls()
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(scratch, ignore_errors=True)
    with open(os.path.join(a.out, "lf-results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print("| case | wall | meshgate CPU | peak RSS | operations | API calls |")
    print("|---|---|---|---|---|---|")
    for key in ("plan", "apply_first", "apply_change", "drift"):
        r = results[key]
        c = r.get("calls", {})
        print("| %s | %.2f s | %.2f s | %.0f MiB | %s | %s |" % (
            key, r["wall_s"], r["cpu_s"], r["rss_mib"], r.get("operations") or "",
            ", ".join("%s %d" % (k.strip("/"), v) for k, v in sorted(c.items())) if c else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
