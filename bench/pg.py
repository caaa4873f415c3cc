#!/usr/bin/env python3
"""meshgate against a real PostgreSQL: apply of 10,000 column grants, then a 500-product change,
beside the same catalogue applied to the embedded ledger.

Starts its own server (initdb + pg_ctl as an unprivileged user, unix socket only, in a scratch
directory under bench/out/) and stops it afterwards, also on failure.  Python 3 standard library.

    bench/pg.py --meshgate build-bench/meshgate            # 500 products x 2 tables x 5 columns x 2 roles
    bench/pg.py --meshgate build/meshgate --products 100   # smaller

Writes bench/out/pg-results.json and prints a Markdown table.  Targets (issue 10): the first
apply <= 5 s, the 500-product change <= 1 s.
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
COLUMNS = ["id", "day", "amount", "country", "channel", "email"]  # email is pii


def run(cmd, **kw):
    kw.setdefault("check", True)
    return subprocess.run(cmd, **kw)


def timed(cmd, cwd, env):
    """Wall, user+sys seconds and peak RSS of one run (GNU time), and its exit status."""
    tf = tempfile.mktemp()
    p = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf] + cmd, cwd=cwd, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with open(tf) as f:
        wall, user, syst, rss = f.read().split()[-4:]
    os.unlink(tf)
    if p.returncode != 0:
        sys.exit("%s: exit %d\n%s\n%s" % (" ".join(cmd), p.returncode, p.stdout[-2000:], p.stderr[-2000:]))
    return {"wall_s": float(wall), "cpu_s": float(user) + float(syst), "rss_mib": int(rss) / 1024}


class Server:
    def __init__(self, root):
        bins = [d for d in sorted(glob.glob("/usr/lib/postgresql/*/bin")) if os.access(d + "/initdb", os.X_OK)]
        if not bins or not shutil.which("psql"):
            sys.exit("no PostgreSQL server binaries: scripts/install-deps.sh --test installs them")
        self.bin = bins[-1]
        self.root = root
        self.sock = os.path.join(root, "sock")
        self.data = os.path.join(root, "data")
        self.port = "5432"
        self.started = False
        self.pre = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"] if os.getuid() == 0 else []

    def start(self):
        os.makedirs(self.sock)
        os.chmod(os.path.dirname(self.root), 0o711)
        os.chmod(self.root, 0o711)
        if os.getuid() == 0:
            run(["chown", "-R", "nobody:nogroup", self.root])
        run(self.pre + [self.bin + "/initdb", "-D", self.data, "-U", "pgadmin", "-A", "trust", "--no-sync",
                        "-E", "UTF8", "--locale=C"], stdout=subprocess.DEVNULL)
        run(self.pre + [self.bin + "/pg_ctl", "-D", self.data, "-w", "-l", os.path.join(self.root, "log"),
                        "-o", "-k %s -p %s -c listen_addresses='' -c fsync=off" % (self.sock, self.port), "start"],
            stdout=subprocess.DEVNULL)
        self.started = True

    def stop(self):
        if self.started:
            run(self.pre + [self.bin + "/pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop"],
                check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.started = False

    def sql(self, text, user="pgadmin"):
        p = run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-h", self.sock, "-p", self.port,
                 "-U", user, "-d", "postgres"], input=text, text=True, stdout=subprocess.PIPE)
        return p.stdout.strip()


def write(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)


def catalogue(repo, n, roles, pii_columns):
    for i in range(n):
        name = "bp%04d" % i
        d = os.path.join(repo, "data-products-catalogue", "prod", name)
        write(d + "/data-product.json", {
            "data-product-name": name, "data-product-owner": "owner@example.com",
            "data-product-maintainer": "m@example.com", "enterprise-system-landscape-information-tracker": "ESLIT-0001",
            "edc-data-objects": ["bench"], "source-system": "bench", "usage-patterns": ["bench"],
            "dq-rules": "id is unique", "version": "1.0.0"})
        write(d + "/data-product-producer-info.json", {
            "account-type": "aws", "producer-role-arn": "arn:aws:iam::222233334444:role/p",
            "producer-account-id": "222233334444", "bucket-name": "bench-%04d" % i})
        write(d + "/data-product-outputs.json", {"outputs": {
            t: {"file-format": "parquet", "port-type": "blob", "location": "s3://bench-%04d/%s" % (i, t)}
            for t in ("t0", "t1")}})
        write(d + "/data-product-visibility.json", {"tables": [
            {"name": t, "visibility": "internal", "columns": [{"name": c, "pii": True} for c in pii_columns]}
            for t in ("t0", "t1")]})
        write(d + "/data-product-consumers.json", {"consumers": [
            {"postgres-role": roles[(i + k) % len(roles)], "contact": "c@example.com", "type": "postgres",
             "team": "bench"} for k in range(2)]})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--meshgate", required=True)
    ap.add_argument("--products", type=int, default=500)
    ap.add_argument("--roles", type=int, default=20)
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    a = ap.parse_args()
    mg = os.path.abspath(a.meshgate)
    os.makedirs(a.out, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="mg-pg-bench-", dir=a.out)
    server = Server(os.path.join(scratch, "pg"))
    results = {"products": a.products, "roles": a.roles}
    try:
        server.start()
        roles = ["bench_r%02d" % k for k in range(a.roles)]
        setup = ["CREATE ROLE owner LOGIN;"] + ["CREATE ROLE %s;" % r for r in roles]
        cols = ", ".join("%s text" % c for c in COLUMNS)
        for i in range(a.products):
            setup.append("CREATE SCHEMA bp%04d AUTHORIZATION owner;" % i)
            setup += ["CREATE TABLE bp%04d.%s (%s); ALTER TABLE bp%04d.%s OWNER TO owner;" % (i, t, cols, i, t)
                      for t in ("t0", "t1")]
        server.sql("\n".join(setup))

        repo = os.path.join(scratch, "repo")
        os.makedirs(repo)
        catalogue(repo, a.products, roles, ["email"])
        git = ["git", "-C", repo, "-c", "user.name=b", "-c", "user.email=b@example.com"]
        run(["git", "init", "-q", "-b", "main", repo])
        for backend, fname in (("{type: postgres, dsn-env: MESHGATE_BENCH_DSN}", "pg"), ("{type: local}", "local")):
            with open(os.path.join(scratch, "meshgate-%s.yaml" % fname), "w") as f:
                f.write("catalogue: data-products-catalogue\nprotected-branch: main\n"
                        "environments:\n  prod:\n    backend: %s\n" % backend)
        env = dict(os.environ, MESHGATE_BENCH_DSN="host=%s port=%s dbname=postgres user=owner" % (server.sock, server.port),
                   NO_COLOR="1")
        for k in ("GITHUB_REF", "CI_COMMIT_BRANCH", "GIT_DIR", "GIT_INDEX_FILE"):
            env.pop(k, None)

        def commit(msg, which):
            shutil.copy(os.path.join(scratch, "meshgate-%s.yaml" % which), os.path.join(repo, "meshgate.yaml"))
            run(git + ["add", "-A"])
            run(git + ["commit", "-q", "-m", msg])

        grants_sql = ("SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                      "JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(a.attacl) x "
                      "WHERE n.nspname LIKE 'bp%' AND x.privilege_type = 'SELECT'")
        # first commit on postgres
        commit("catalogue", "pg")
        results["apply_first"] = timed([mg, "apply", "-C", repo], repo, env)
        results["apply_first"]["column_grants"] = int(server.sql(grants_sql))
        # the change: a second pii column in every product
        catalogue(repo, a.products, roles, ["email", "country"])
        commit("country is pii in every product", "pg")
        plan = subprocess.run([mg, "plan", "-C", repo, "--format", "json"], cwd=repo, env=env, check=True,
                              stdout=subprocess.PIPE, text=True).stdout
        ops = json.loads(plan)["operations"]
        results["apply_change"] = timed([mg, "apply", "-C", repo], repo, env)
        results["apply_change"]["operations"] = len(ops)
        results["apply_change"]["revokes"] = sum(1 for o in ops if o["kind"] == "revoke")
        results["apply_change"]["column_grants"] = int(server.sql(grants_sql))
        results["apply_change"]["products_changed"] = a.products
        results["drift"] = timed([mg, "drift", "-C", repo], repo, env)

        # the same two commits on the ledger, for comparison
        run(git + ["checkout", "-q", "HEAD~1", "--", "."])
        commit("catalogue (ledger)", "local")
        shutil.rmtree(os.path.join(repo, ".meshgate"), ignore_errors=True)
        results["ledger_first"] = timed([mg, "apply", "-C", repo], repo, env)
        catalogue(repo, a.products, roles, ["email", "country"])
        commit("country is pii (ledger)", "local")
        results["ledger_change"] = timed([mg, "apply", "-C", repo], repo, env)
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)

    with open(os.path.join(a.out, "pg-results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print("| case | wall | cpu | peak RSS | result | target |")
    print("|---|---|---|---|---|---|")
    print("The change: %d operations (%d revokes)." % (results["apply_change"]["operations"],
                                                       results["apply_change"]["revokes"]))
    for key, label, target, extra in (
            ("apply_first", "postgres: apply, first run", "<= 5 s", "column_grants"),
            ("apply_change", "postgres: apply of a %d-product change" % a.products, "<= 1 s", "column_grants"),
            ("drift", "postgres: drift (bulk catalogue read)", "", None),
            ("ledger_first", "ledger: apply, first run", "", None),
            ("ledger_change", "ledger: apply of the change", "", None)):
        r = results[key]
        print("| %s | %.2f s | %.2f s | %.0f MiB | %s | %s |" % (
            label, r["wall_s"], r["cpu_s"], r["rss_mib"], "%d column grants" % r[extra] if extra else "", target))


if __name__ == "__main__":
    main()
