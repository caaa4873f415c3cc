#!/usr/bin/python3
"""meshgate benchmark harness: meshgate, its peers and the raw git read, side by side.

Run it through bench/run.sh (which installs what it needs); see bench/README.md.
Writes bench/out/results.md and bench/out/results.json (or under --out).
"""

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
KINDS = ["data-product", "data-product-producer-info", "data-product-outputs",
         "data-product-visibility", "data-product-consumers", "data-product-inputs"]
MIB = 1024 * 1024


def log(*a):
    print("[bench]", *a, file=sys.stderr, flush=True)


def sh(cmd, cwd=None, env=None, check=True, capture=True):
    r = subprocess.run(cmd, shell=isinstance(cmd, str), cwd=cwd, env=env,
                       stdout=subprocess.PIPE if capture else None,
                       stderr=subprocess.PIPE if capture else None, text=True)
    if check and r.returncode != 0:
        raise SystemExit("command failed (%d): %s\n%s%s" % (r.returncode, cmd, r.stdout or "",
                                                             r.stderr or ""))
    return r


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def machine():
    info = {"nproc": os.cpu_count(), "kernel": platform.release()}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                info["mem_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    info["load_start"] = open("/proc/loadavg").read().split()[:3]
    return info


class Bench:
    def __init__(self, a):
        self.a = a
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("GITHUB_REF", "CI_COMMIT_BRANCH", "GIT_DIR", "GIT_INDEX_FILE",
                                 "GIT_WORK_TREE")}
        self.env["NO_COLOR"] = "1"
        self.rows = []
        self.notes = []
        self.hyperfine = shutil.which("hyperfine") if not a.no_hyperfine else None
        self.gnutime = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
        self.tmp = tempfile.mkdtemp(prefix="mg-bench-", dir=a.out)

    # ---- one measured command ---------------------------------------------------------
    def probe(self, cmd, cwd, prepare=None):
        """One run under /usr/bin/time (or wait4): wall, user, sys, peak RSS, output."""
        if prepare:
            sh(prepare, cwd=cwd, env=self.env)
        out, err = os.path.join(self.tmp, "out"), os.path.join(self.tmp, "err")
        with open(out, "w") as fo, open(err, "w") as fe:
            if self.gnutime:
                tf = os.path.join(self.tmp, "time")
                p = subprocess.run([self.gnutime, "-f", "%e %U %S %M", "-o", tf, "sh", "-c", cmd],
                                   cwd=cwd, env=self.env, stdout=fo, stderr=fe)
                with open(tf) as f:
                    last = f.read().strip().splitlines()[-1].split()
                wall, user, syst, rss = float(last[0]), float(last[1]), float(last[2]), int(last[3])
                rc = p.returncode
            else:
                t0 = time.monotonic()
                p = subprocess.Popen(["sh", "-c", cmd], cwd=cwd, env=self.env, stdout=fo, stderr=fe)
                _, status, ru = os.wait4(p.pid, 0)
                wall = time.monotonic() - t0
                user, syst, rss = ru.ru_utime, ru.ru_stime, ru.ru_maxrss
                rc = os.waitstatus_to_exitcode(status)
        with open(out, errors="replace") as f:
            stdout = f.read()
        with open(err, errors="replace") as f:
            stderr = f.read()
        return {"wall": wall, "user": user, "sys": syst, "rss_kib": rss, "rc": rc,
                "stdout": stdout, "stderr": stderr}

    def timed(self, cmd, cwd, runs, prepare=None):
        """Wall times of `runs` runs (after the probe, which served as the warm-up)."""
        if self.hyperfine:
            js = os.path.join(self.tmp, "hf.json")
            hc = [self.hyperfine, "--style", "none", "--warmup", "0",
                  "--runs", str(runs), "-i", "--export-json", js]
            if prepare:
                hc += ["--prepare", prepare]
            hc.append(cmd)
            sh(hc, cwd=cwd, env=self.env)
            with open(js) as f:
                r = json.load(f)["results"][0]
            return {"times": r["times"], "user": r["user"], "sys": r["system"], "tool": "hyperfine"}
        times, us, ss = [], [], []
        for _ in range(runs):
            if prepare:
                sh(prepare, cwd=cwd, env=self.env)
            t0 = time.monotonic()
            p = subprocess.Popen(["sh", "-c", cmd], cwd=cwd, env=self.env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, _, ru = os.wait4(p.pid, 0)
            times.append(time.monotonic() - t0)
            us.append(ru.ru_utime)
            ss.append(ru.ru_stime)
        return {"times": times, "user": statistics.mean(us), "sys": statistics.mean(ss),
                "tool": "loop"}

    def case(self, key, label, cmd, cwd, group, prepare=None, runs=None, target=None,
             count=None, ok_rc=(0, 1)):
        """Measure one command: a probe (warm-up, CPU, RSS, output), then the timed runs."""
        load = loadavg()
        log("%-22s %s" % (key, cmd))
        pr = self.probe(cmd, cwd, prepare)
        if pr["rc"] not in ok_rc:
            raise SystemExit("%s: exit %d\n%s\n%s" % (key, pr["rc"], pr["stdout"][-2000:],
                                                      pr["stderr"][-2000:]))
        n = runs or self.a.repeat
        if pr["wall"] > self.a.slow and n > 3:
            n = 3  # whole-catalogue applies and slow peers: three runs are enough
        t = self.timed(cmd, cwd, n, prepare)
        row = {"key": key, "label": label, "group": group, "command": cmd, "runs": len(t["times"]),
               "timing": t["tool"], "median_ms": statistics.median(t["times"]) * 1000,
               "min_ms": min(t["times"]) * 1000, "max_ms": max(t["times"]) * 1000,
               "cpu_ms": (t["user"] + t["sys"]) * 1000, "user_ms": t["user"] * 1000,
               "sys_ms": t["sys"] * 1000, "rss_mib": pr["rss_kib"] / 1024, "exit": pr["rc"],
               "first_ms": pr["wall"] * 1000,
               "load": load, "target": target}
        if count:
            row.update(count(pr))
        self.rows.append(row)
        log("%-22s median %.1f ms, cpu %.1f ms, rss %.1f MiB%s" % (
            key, row["median_ms"], row["cpu_ms"], row["rss_mib"],
            "".join(", %s=%s" % (k, row[k]) for k in ("findings", "operations", "changes")
                    if k in row)))
        return row

    def skip(self, key, label, group, why):
        log("%-22s skipped: %s" % (key, why))
        self.rows.append({"key": key, "label": label, "group": group, "skipped": why})


# ---- output parsers ------------------------------------------------------------------------
def count_findings(pr):
    m = re.search(r"(\d+) errors?, (\d+) warnings?.* in (?:the )?(\d+) (?:changed )?products"
                  r"(?: \((\d+) files\))?", pr["stderr"])
    rules = {}
    for line in pr["stdout"].splitlines():
        r = re.search(r"\[([a-z-]+)\]$", line)
        if r:
            rules[r.group(1)] = rules.get(r.group(1), 0) + 1
    d = {"findings": sum(rules.values()), "by_rule": rules}
    if m:
        d.update(errors=int(m.group(1)), warnings=int(m.group(2)), products=int(m.group(3)))
        if m.group(4):
            d["files"] = int(m.group(4))
    return d


def count_ops(pr):
    ops = [int(x) for x in re.findall(r"applied (\d+) operations", pr["stdout"] + pr["stderr"])]
    return {"operations": sum(ops)}


def count_plan(pr):
    m = re.search(r"(\d+) changes?: (\d+) revokes?, (\d+) grants?", pr["stdout"] + pr["stderr"])
    return {"changes": int(m.group(1)), "revokes": int(m.group(2)),
            "grants": int(m.group(3))} if m else {}


def count_peer(pr):
    text = pr["stdout"] + pr["stderr"]
    m = re.search(r"(\d+) files \((\d+) yaml\), (\d+) skipped, (\d+) invalid", text)
    if m:
        return {"files": int(m.group(1)), "invalid": int(m.group(4)), "skipped_files": int(m.group(3))}
    return {"files": len(re.findall(r" (?:valid|invalid)$", text, re.M)),
            "invalid": len(re.findall(r" invalid$", text, re.M))}


# ---- the run ---------------------------------------------------------------------------------
def generate(a, name, extra):
    repo = os.path.join(a.out, name)
    man = repo + ".manifest.json"
    args = [sys.executable, os.path.join(HERE, "gen.py"), "--out", repo, "--seed", str(a.seed),
            "--yaml-share", str(a.yaml_share)] + extra
    stamp = repo + ".args"
    want = " ".join(args[2:])
    if a.keep and os.path.exists(man) and os.path.exists(stamp) and open(stamp).read() == want:
        log("reusing", repo)
    else:
        log("generating", repo, " ".join(extra))
        t0 = time.monotonic()
        sh(args, capture=False)
        log("generated in %.1f s" % (time.monotonic() - t0))
        with open(stamp, "w") as f:
            f.write(want)
    with open(man) as f:
        return repo, json.load(f)


def main():
    ap = argparse.ArgumentParser(description="meshgate benchmark (see bench/README.md)")
    ap.add_argument("--products", type=int, default=None, help="catalogue size (default 10000)")
    ap.add_argument("--repeat", type=int, default=None, help="timed runs per case (default 5)")
    ap.add_argument("--quick", action="store_true",
                    help="1,000 products, one run per case, 10,000-grant apply; ajv optional")
    ap.add_argument("--keep", action="store_true", help="reuse generated repositories")
    ap.add_argument("--change", type=int, default=None, help="products changed by HEAD (500)")
    ap.add_argument("--grants", type=int, default=None, help="size of the dedicated apply (100000)")
    ap.add_argument("--yaml-share", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--meshgate", help="the binary to measure (default: build build-bench/)")
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--no-ajv", action="store_true", help="skip the ajv-cli peer")
    ap.add_argument("--no-hyperfine", action="store_true", help="time with the built-in loop")
    ap.add_argument("--slow", type=float, default=8.0,
                    help="cases slower than this many seconds get at most 3 runs")
    a = ap.parse_args()
    q = a.quick
    a.products = a.products or (1000 if q else 10000)
    a.repeat = a.repeat or (1 if q else 5)
    a.change = a.change if a.change is not None else (50 if q else 500)
    a.grants = a.grants or (10000 if q else 100000)
    a.out = os.path.abspath(a.out)
    os.makedirs(a.out, exist_ok=True)

    mg = a.meshgate
    if not mg:
        bd = os.path.join(ROOT, "build-bench")
        log("building meshgate (Release) in", bd)
        sh(["cmake", "-S", ROOT, "-B", bd, "-DCMAKE_BUILD_TYPE=Release"])
        sh(["cmake", "--build", bd, "-j2", "--target", "meshgate"])
        mg = os.path.join(bd, "meshgate")
    mg = os.path.abspath(mg)
    b = Bench(a)
    M = shlex.quote(mg)
    info = {"machine": machine(), "command": " ".join(shlex.quote(x) for x in sys.argv),
            "meshgate": sh([mg, "--version"], check=False).stdout.strip(),
            "meshgate_commit": sh(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                                  check=False).stdout.strip(),
            "git": sh(["git", "--version"]).stdout.strip(),
            "hyperfine": sh([b.hyperfine, "--version"]).stdout.strip() if b.hyperfine else None}
    vhelp = sh([mg, "validate", "-h"], check=False).stdout
    has_rev, has_staged = "--rev" in vhelp, "--staged" in vhelp
    has_check = sh([mg, "check", "-h"], check=False).returncode == 0
    has_plan = sh([mg, "plan", "-h"], check=False).returncode == 0
    has_apply = sh([mg, "apply", "-h"], check=False).returncode == 0

    repo, man = generate(a, "repo-%d" % a.products,
                         ["--products", str(a.products), "--change", str(a.change)])
    info["catalogue"] = {k: man[k] for k in ("products", "files", "bytes", "yaml_products",
                                             "consumers", "estimated_grants")}
    info["catalogue"]["changed"] = len(man["changed"])
    cat = "data-products-catalogue"
    ten_k = a.products == 10000

    # 1. the raw read limit
    raw = b.case("raw-read", "git ls-tree -r | git cat-file --batch (raw read of every blob)",
                 "git ls-tree -r HEAD %s | awk '{print $3}' | git cat-file --batch > /dev/null" % cat,
                 repo, "raw")

    # 2. validation of the whole catalogue
    wt = b.case("validate-worktree", "meshgate validate (work tree, every rule)",
                "%s validate" % M, repo, "meshgate", count=count_findings,
                target={"raw_ratio": 1.5, "rss_mib": 64})
    wt_cmd = "%s validate" % M
    if has_rev:
        b.case("validate-rev", "meshgate validate --rev HEAD (commit, every rule)",
               "%s validate --rev HEAD" % M, repo, "meshgate", count=count_findings,
               target={"raw_ratio": 1.5, "rss_mib": 64})
    else:
        b.skip("validate-rev", "meshgate validate --rev HEAD", "meshgate",
               "--rev is not in this binary yet")

    # 3. peers (schema layer only)
    rules = os.path.join(ROOT, "rules")
    b.case("peer-jsonschema", "Python jsonschema %s, Draft202012Validator per kind (schema only)"
           % sh(["/usr/bin/python3", "-c", "import importlib.metadata as m;"
                 "print(m.version('jsonschema'))"], check=False).stdout.strip(),
           "/usr/bin/python3 %s %s %s" % (shlex.quote(os.path.join(HERE, "peer_jsonschema.py")),
                                                       shlex.quote(rules), cat),
           repo, "peer", count=count_peer)
    ajv = os.path.join(HERE, ".node", "node_modules", ".bin", "ajv")
    if a.no_ajv:
        b.skip("peer-ajv", "ajv-cli", "peer", "--no-ajv")
    elif not os.access(ajv, os.X_OK):
        b.skip("peer-ajv", "ajv-cli", "peer",
               "ajv-cli not installed in bench/.node (bench/run.sh installs it unless --quick)")
    else:
        parts = []
        for k in KINDS:
            refs = " ".join("-r %s" % shlex.quote(os.path.join(rules, o + ".schema.json"))
                            for o in KINDS if o != k)
            parts.append("%s validate --spec=draft2020 -c ajv-formats --strict=false -s %s %s "
                         "-d '%s/*/*/%s.{json,yaml,yml}'" % (
                             shlex.quote(ajv), shlex.quote(os.path.join(rules, k + ".schema.json")),
                             refs, cat, k))
        ver = json.load(open(os.path.join(HERE, ".node", "node_modules", "ajv-cli",
                                          "package.json")))["version"]
        b.case("peer-ajv", "ajv-cli %s + ajv-formats, one invocation per kind (schema only)" % ver,
               "; ".join(parts), repo, "peer", count=count_peer)

    # 4. the pre-commit hook with one product staged: each run follows an edit of one product
    #    (its version bumped and `git add`ed), as a producer's `git commit` does
    if has_staged:
        folder = man["folders"][len(man["folders"]) // 2]
        fn = next(f for f in sorted(os.listdir(os.path.join(repo, folder)))
                  if f.startswith("data-product."))
        touch = "/usr/bin/python3 %s %s" % (shlex.quote(os.path.join(HERE, "touch_product.py")),
                                            shlex.quote(os.path.join(folder, fn)))
        cache = os.path.join(repo, ".git", "meshgate")
        has_cache = "--no-cache" in vhelp
        try:
            if has_cache:
                shutil.rmtree(cache, ignore_errors=True)
                b.case("hook-staged-cold", "meshgate validate --staged, 1 product staged, no cache yet "
                       "(first hook run in a clone)", "%s validate --staged" % M, repo, "meshgate",
                       prepare="rm -rf .git/meshgate && " + touch, count=count_findings,
                       target={"raw_ratio": 1.5, "rss_mib": 64})
                sh("%s validate --staged > /dev/null" % M, cwd=repo, env=b.env, check=False)  # warm
            b.case("hook-staged", "meshgate validate --staged (pre-commit hook, 1 product edited "
                   "and staged%s)" % (", cache of the last run" if has_cache else ""),
                   "%s validate --staged" % M, repo, "meshgate", prepare=touch,
                   count=count_findings, target={"ms": 50, "rss_mib": 32})
        finally:
            sh(["git", "reset", "-q", "--hard", "HEAD"], cwd=repo)
            shutil.rmtree(cache, ignore_errors=True)
    else:
        b.skip("hook-staged", "meshgate validate --staged", "meshgate", "--staged is not in this binary yet")

    # 5. the PR check and the plan of the second commit
    if has_check:
        check_cached = "--no-cache" in sh([mg, "check", "-h"], check=False).stdout
        b.case("check", "meshgate check --base HEAD~1 --head HEAD (%d products changed%s)"
               % (len(man["changed"]), ", no cache: a fresh clone" if check_cached else ""),
               "%s check --base HEAD~1 --head HEAD" % M, repo, "meshgate",
               prepare="rm -rf .git/meshgate" if check_cached else None,
               count=count_findings, target={"raw_ratio": 1.5, "rss_mib": 64})
        if check_cached:
            # the facts cache as CI restores it: what a check of the base left (keyed by the base commit)
            cache = os.path.join(repo, ".git", "meshgate")
            snap = os.path.join(a.out, "facts-of-base")
            shutil.rmtree(cache, ignore_errors=True)
            sh("%s check --base HEAD~1 --head HEAD~1 > /dev/null" % M, cwd=repo, env=b.env, check=False)
            shutil.copyfile(os.path.join(cache, "facts-v1"), snap)
            try:
                b.case("check-warm", "meshgate check --base HEAD~1 --head HEAD (%d products changed, "
                       "facts cache of the base)" % len(man["changed"]),
                       "%s check --base HEAD~1 --head HEAD" % M, repo, "meshgate",
                       prepare="cp %s .git/meshgate/facts-v1" % shlex.quote(snap),
                       count=count_findings, target={"ms": 500, "rss_mib": 64})
            finally:
                shutil.rmtree(cache, ignore_errors=True)
    else:
        b.skip("check", "meshgate check --base HEAD~1 --head HEAD", "meshgate",
               "'check' is not in this binary yet (being written)")
    if has_plan:
        b.case("plan", "meshgate plan --from HEAD~1 --to HEAD (%d products changed)" % len(man["changed"]),
               "%s plan --from HEAD~1 --to HEAD" % M, repo, "meshgate", count=count_plan,
               target={"ms": 100, "rss_mib": 64} if a.change == 500 else {"rss_mib": 64})
    else:
        b.skip("plan", "meshgate plan", "meshgate", "'plan' is not in this binary")

    # 6. applying to the embedded SQLite ledger
    if has_apply:
        st = os.path.join(repo, ".meshgate")
        b.case("apply-first", "meshgate apply, first run (whole desired state of HEAD)",
               "%s apply" % M, repo, "meshgate", prepare="rm -rf .meshgate",
               count=count_ops, target={"ms": 5000, "rss_mib": 128} if ten_k else {"rss_mib": 128}, ok_rc=(0,))
        b.rows[-1]["command"] += "  (after rm -rf .meshgate)"
        # the second commit's plan applied on a ledger holding HEAD~1
        head = sh(["git", "rev-parse", "HEAD"], cwd=repo).stdout.strip()
        snap = os.path.join(b.tmp, "ledger-base")
        try:
            sh(["git", "reset", "-q", "--soft", "HEAD~1"], cwd=repo)
            shutil.rmtree(st, ignore_errors=True)
            sh([mg, "apply"], cwd=repo, env=b.env)
            shutil.move(st, snap)
        finally:
            sh(["git", "reset", "-q", "--soft", head], cwd=repo)
        b.case("apply-change", "meshgate apply of the second commit (%d products changed)"
               % len(man["changed"]), "%s apply" % M, repo, "meshgate",
               prepare="rm -rf .meshgate && cp -a %s .meshgate" % shlex.quote(snap),
               count=count_ops, target={"rss_mib": 64}, ok_rc=(0,))
        b.rows[-1]["command"] += "  (ledger at HEAD~1)"
        shutil.rmtree(st, ignore_errors=True)
        grepo, gman = generate(a, "repo-grants-%d" % a.grants,
                               ["--target-grants", str(a.grants), "--change", "0"])
        info["grants_catalogue"] = {k: gman[k] for k in ("products", "files", "consumers",
                                                         "estimated_grants")}
        b.case("apply-grants", "meshgate apply, first run, dedicated %d-grant catalogue (%d products)"
               % (a.grants, gman["products"]), "%s apply" % M, grepo, "meshgate",
               prepare="rm -rf .meshgate", count=count_ops,
               target={"ms": 1000, "rss_mib": 64} if a.grants == 100000 else {"rss_mib": 64},
               ok_rc=(0,))
        b.rows[-1]["command"] += "  (after rm -rf .meshgate)"
        shutil.rmtree(os.path.join(grepo, ".meshgate"), ignore_errors=True)
    else:
        for k in ("apply-first", "apply-change", "apply-grants"):
            b.skip(k, "meshgate apply", "meshgate", "'apply' is not in this binary")

    info["machine"]["load_end"] = open("/proc/loadavg").read().split()[:3]
    report(a, b, info, raw, wt, ten_k)
    shutil.rmtree(b.tmp, ignore_errors=True)


def verdict(row, raw, ten_k):
    """pass/miss against the issue's targets (which are set for 10,000 products)."""
    t = row.get("target") or {}
    out = []
    if "raw_ratio" in t:
        r = row["median_ms"] / raw["median_ms"]
        out.append(("≤ %.1f× raw read" % t["raw_ratio"], r <= t["raw_ratio"]))
    if "ms" in t:
        out.append(("≤ %d ms" % t["ms"], row["median_ms"] <= t["ms"]))
    if "rss_mib" in t:
        out.append(("≤ %d MiB" % t["rss_mib"], row["rss_mib"] <= t["rss_mib"]))
    if not out:
        return ""
    s = ", ".join("%s %s" % (k, "**pass**" if ok else "**MISS**") for k, ok in out)
    row["verdict"] = {k: ok for k, ok in out}
    return s + ("" if ten_k else " (target set for 10k)")


def report(a, b, info, raw, wt, ten_k):
    peers = {r["key"]: r for r in b.rows if r.get("group") == "peer" and "skipped" not in r}
    lines = []
    m = info["machine"]
    c = info["catalogue"]
    lines.append("## meshgate benchmark: %d products\n" % c["products"])
    lines.append("Catalogue: %d products (%d with YAML files), %d files, %.1f MB, %d consumers, "
                 "%d desired grants; HEAD changes %d products.  Machine: %d cores, %s, %.0f GiB; "
                 "load average %s at start, %s at end.  %s (source tree at run time: %s).  Command: `%s`\n"
                 % (c["products"], c["yaml_products"], c["files"], c["bytes"] / 1e6, c["consumers"],
                    c["estimated_grants"], c["changed"], m["nproc"], m.get("cpu", "?"),
                    m.get("mem_gib", 0), "/".join(m["load_start"]), "/".join(m["load_end"]),
                    info["meshgate"], info["meshgate_commit"], info["command"]))
    esc = lambda s: s.replace("|", "\\|")
    lines.append("| case | wall median (ms) | min–max (ms) | first run (ms) | CPU user+sys (ms) "
                 "| peak RSS (MiB) | × raw read | × jsonschema | × ajv | counts | target |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in b.rows:
        if "skipped" in r:
            lines.append("| %s | — | — | — | — | — | — | — | — | skipped: %s | |" % (esc(r["label"]), r["skipped"]))
            continue
        def ratio(p):
            if r["key"] not in ("validate-worktree", "validate-rev", "hook-staged", "hook-staged-cold", "check") or p not in peers:
                return ""
            return "%.2f" % (r["median_ms"] / peers[p]["median_ms"])
        counts = []
        if "findings" in r:
            counts.append("%d findings (%s errors, %s warnings)" % (r["findings"], r.get("errors", "?"),
                                                                    r.get("warnings", "?")))
        if "operations" in r:
            counts.append("%d operations" % r["operations"])
        if "changes" in r:
            counts.append("%d changes (%d revokes, %d grants)" % (r["changes"], r["revokes"], r["grants"]))
        if r["group"] == "peer":
            counts.append("%s files, %d invalid" % (r.get("files", "?"), r.get("invalid", 0)))
        lines.append("| %s | %.1f | %.1f–%.1f | %.0f | %.0f | %.1f | %s | %s | %s | %s | %s |" % (
            esc(r["label"]), r["median_ms"], r["min_ms"], r["max_ms"], r["first_ms"], r["cpu_ms"],
            r["rss_mib"],
            "" if r is raw else "%.2f" % (r["median_ms"] / raw["median_ms"]),
            ratio("peer-jsonschema"), ratio("peer-ajv"), "; ".join(counts),
            verdict(r, raw, ten_k)))
    lines.append("")
    lines.append("Output goes to /dev/null in the timed runs.  Wall: median of %d timed runs (%s) after one warm-up run "
                 "(\"first run\"), which also gives the counts and peak RSS (`/usr/bin/time` %%M: "
                 "the largest process of the command); cases slower "
                 "than %.0f s get 3 runs.  CPU is the mean user+sys per run.  The peers check "
                 "the JSON Schema layer only (rules/*.schema.json, the same files from the work "
                 "tree); meshgate also runs every rule and reports positions.  Ratios are "
                 "meshgate's median over the other's."
                 % (a.repeat, b.rows[0].get("timing", "?"), a.slow))
    md = "\n".join(lines) + "\n"
    print(md)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(md)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump({"info": info, "rows": b.rows}, f, indent=2)
    log("wrote", os.path.join(a.out, "results.md"), "and results.json")


if __name__ == "__main__":
    main()
