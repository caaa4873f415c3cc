#!/usr/bin/env python3
"""Deterministic generator of a synthetic meshgate catalogue in a fresh git repository.

Writes N data products in the adidas prototype's layout
(data-products-catalogue/<env>/<product>/ with the six files) as one commit made with
`git fast-import`, then checks out the work tree.  With --change K, a second commit
changes K products (consumers added and removed, columns reclassified).

Python 3 standard library only.  Same arguments, same bytes, same commit ids.

    bench/gen.py --out /tmp/mg-bench/repo --products 10000 --change 500 --yaml-share 0.2

A manifest (bench-manifest.json, next to the repository, not in it) records what was
generated: product folders, file counts, bytes, estimated grants, changed products.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys

CATALOGUE = "data-products-catalogue"

DOMAINS = ["sales", "customer", "finance", "supply", "marketing", "retail", "ecom", "logistics",
           "hr", "product", "inventory", "pricing", "loyalty", "returns", "payments", "web",
           "store", "wholesale", "sourcing", "quality"]
NOUNS = ["orders", "profiles", "ledger", "shipments", "campaigns", "footfall", "sessions",
         "stock", "prices", "members", "refunds", "transactions", "clicks", "assortment",
         "forecasts", "invoices", "suppliers", "audits", "reviews", "events"]

TABLES = ["orders", "order_lines", "daily_revenue", "customers", "customer_segments",
          "payments", "refunds", "shipments", "deliveries", "stock_levels", "price_history",
          "promotions", "campaign_results", "web_sessions", "page_views", "clicks",
          "store_footfall", "returns", "invoices", "suppliers", "purchase_orders",
          "forecast_weekly", "forecast_daily", "members", "loyalty_points", "reviews",
          "products", "product_attributes", "inventory_moves", "warehouse_events",
          "employees", "payroll_summary", "gl_entries", "budgets", "cost_centres",
          "kpi_weekly", "kpi_monthly", "audit_log", "events", "transactions"]

GENERIC = ["order_id", "customer_id", "product_id", "sku", "quantity", "unit_price", "amount",
           "currency", "discount", "tax_amount", "status", "created_at", "updated_at",
           "order_date", "ship_date", "country", "region", "store_id", "channel", "category",
           "brand", "size", "colour", "season", "revenue", "margin", "cost", "event_type",
           "event_time", "session_id", "page_url", "campaign_id", "segment", "loyalty_tier",
           "return_reason", "warehouse_id", "stock_level", "supplier_id", "lead_time_days",
           "batch_id", "ingestion_ts", "source_file", "is_active", "score", "rating",
           "language", "timezone", "net_sales", "gross_sales", "units_sold", "week", "month",
           "year", "day", "fiscal_period", "cost_center", "invoice_id", "payment_method",
           "payment_status", "shipment_id", "carrier", "tracking_number", "delivery_date",
           "article_number", "model_number", "gender_target", "age_group", "sport",
           "division", "price_band", "markdown_pct", "basket_size", "visit_count",
           "conversion_rate", "referrer", "utm_source", "utm_medium", "device_type",
           "browser", "app_version", "promo_code", "voucher_value", "points_earned",
           "points_redeemed", "tier_since", "contract_type", "department", "grade",
           "headcount", "budget_amount", "actual_amount", "variance", "approval_status",
           "line_number", "pick_time", "pack_time", "dock_id", "route_id", "eta",
           "temperature", "defect_count", "inspection_result", "lot_number", "origin_country",
           "hs_code", "incoterm", "freight_cost", "duty_amount", "exchange_rate", "record_hash"]

# (name, kind): kind is the classification a careful producer gives it.
SENSITIVE = [("email", "pii"), ("email_address", "pii"), ("phone_number", "pii"),
             ("mobile_phone", "pii"), ("date_of_birth", "pii"), ("first_name", "pii"),
             ("last_name", "pii"), ("iban", "pii"), ("bank_account_number", "pii"),
             ("ip_address", "pii"), ("passport_number", "pii"), ("national_id", "pii"),
             ("tax_id", "pii"), ("street_address", "pii"), ("device_id", "pii"),
             ("username", "pii"), ("card_number", "pci"), ("cardholder_name", "pci"),
             ("card_expiry_month", "pci"), ("cvv", "pci")]

TYPES = ["string", "bigint", "int", "double", "decimal(12,2)", "date", "timestamp", "boolean"]
TEAMS = ["finance", "bi", "marketing", "supply-chain", "data-science", "crm", "ecom-analytics",
         "pricing", "audit", "risk", "store-ops", "hr-analytics"]
PURPOSES = ["analytics", "reporting", "dashboards", "ml-features", "forecasting", "audit",
            "etl", "exports"]
SOURCE_SYSTEMS = ["erp", "crm", "pos", "wms", "web", "sap", "salesforce", "DataMeshPlatform"]
USAGE = ["reporting", "forecasting", "segmentation", "ml", "dashboards", "audit"]
APPROVERS = ["dpo@example.com", "privacy-office@example.com", "ciso@example.com"]


def acct(rng):
    return "%012d" % rng.randrange(100000000000, 999999999999)


class Gen:
    def __init__(self, args):
        self.a = args
        self.rng = random.Random(args.seed)
        self.envs = args.envs.split(",")
        # a pool of consumer accounts shared across products, as in a real company
        self.accounts = [acct(self.rng) for _ in range(max(50, args.accounts))]
        self.by_env = {e: [] for e in self.envs}  # product indices per environment
        self.products = []

    # ---- one product ------------------------------------------------------------------
    def product(self, i):
        rng = random.Random(self.a.seed * 1000003 + i)
        env = self.envs[i % len(self.envs)]
        dom, noun = DOMAINS[i % len(DOMAINS)], NOUNS[(i // len(DOMAINS)) % len(NOUNS)]
        folder = "%s-%s-%05d" % (dom, noun, i)
        name = folder.replace("-", "_")
        bucket = "%s-%s" % (folder, env)
        prod_acct = acct(rng)
        owner = "%s-data@example.com" % dom
        p = {"i": i, "env": env, "folder": folder, "name": name, "files": {}}
        yaml = rng.random() < self.a.yaml_share
        p["ext"] = (".yml" if rng.random() < 0.2 else ".yaml") if yaml else ".json"

        dp = {"data-product-name": name, "data-product-owner": owner}
        dp["data-product-mantainer" if rng.random() < 0.5 else "data-product-maintainer"] = \
            "%s.%s@example.com" % (rng.choice(["ana", "jo", "li", "sam", "kim", "max"]),
                                   rng.choice(["lima", "kim", "berg", "ross", "ito"]))
        dp["enterprise-system-landscape-information-tracker"] = "ESLIT-%04d" % rng.randrange(10000)
        dp["edc-data-objects"] = [noun.rstrip("s")]
        dp["source-system"] = rng.choice(SOURCE_SYSTEMS)
        dp["usage-patterns"] = rng.sample(USAGE, rng.randint(1, 3))
        dp["dq-rules"] = "%s_id is unique; no null keys" % noun.rstrip("s")
        dp["version"] = "%d.%d.%d" % (rng.randint(0, 5), rng.randint(0, 20), rng.randint(0, 9))
        p["files"]["data-product"] = dp
        p["files"]["data-product-producer-info"] = {
            "account-type": "aws",
            "producer-role-arn": "arn:aws:iam::%s:role/%s-producer" % (prod_acct, dom),
            "producer-account-id": prod_acct,
            "bucket-name": bucket}

        # outputs and visibility
        outputs, vis_tables = {}, []
        tables = rng.sample(TABLES, rng.randint(1, 8))
        meta = {}  # table -> (visibility, [(col, classes)])
        for t in tables:
            ncols = rng.randint(5, 60)
            cols, seen = [], set()
            while len(cols) < ncols:
                if rng.random() < 0.12:
                    c, kind = rng.choice(SENSITIVE)
                else:
                    c, kind = rng.choice(GENERIC), None
                if c in seen:
                    if len(seen) >= len(GENERIC):
                        break
                    continue
                seen.add(c)
                cols.append((c, kind))
            sens = [(c, k) for c, k in cols if k]
            if sens:
                vis = "confidential" if rng.random() < 0.25 else "internal"
            else:
                vis = rng.choice(["public", "public", "internal", None])  # None: not listed
            part = next((c for c, _ in cols if c in ("order_date", "day", "created_at",
                                                        "event_time", "country", "region")), None)
            out = {"file-format": rng.choice(["parquet", "parquet", "delta", "avro", "csv"]),
                   "port-type": "blob" if rng.random() < 0.9 else "stream",
                   "location": "s3://%s/%s" % (bucket, t)}
            if part:
                out["partition-columns"] = [part]
            out["retention-time"] = {"unit": rng.choice(["day", "month", "year"]),
                                     "time": rng.randint(1, 10)}
            out["columns"] = [{"name": c, "type": rng.choice(TYPES)} for c, _ in cols]
            outputs[t] = out
            classes = []
            vcols = []
            for c, kind in cols:
                if kind and rng.random() < self.a.unclassified:
                    kind = None  # deliberately left unclassified: an unclassified-sensitive finding
                if not kind and vis in ("internal", "confidential") and rng.random() < 0.03:
                    kind = "pii"  # a plain column a careful producer classified anyway
                if kind:
                    vcols.append({"name": c, kind: True})
                classes.append((c, kind))
            if vis:
                entry = {"name": t, "visibility": vis}
                if vcols:
                    entry["columns"] = vcols
                vis_tables.append(entry)
            meta[t] = [vis or "public", classes]
        p["files"]["data-product-outputs"] = {"outputs": outputs}
        if vis_tables or rng.random() < 0.5:
            p["files"]["data-product-visibility"] = {"tables": vis_tables}
        p["meta"] = meta

        # consumers
        nc = rng.randint(0, self.a.max_consumers)
        pool = [a for a in rng.sample(self.accounts, min(len(self.accounts), nc + 2))
                if a != prod_acct][:nc]
        consumers = [self.consumer(rng, a, meta) for a in pool]
        if consumers or rng.random() < 0.5:
            p["files"]["data-product-consumers"] = {"consumers": consumers}

        # inputs: a DAG over earlier products of the same environment
        inputs = {}
        for s in rng.sample(SOURCE_SYSTEMS, rng.randint(0, 2)):
            inputs[s] = {"tables": ["%s_%d" % (s.lower(), k) for k in range(rng.randint(1, 3))]}
        earlier = self.by_env[env]
        if earlier:
            for j in rng.sample(earlier[-200:], min(len(earlier[-200:]), rng.randint(0, 3))):
                q = self.products[j]
                qt = list(q["files"]["data-product-outputs"]["outputs"])
                inputs[q["name"]] = {"type": "data-product",
                                     "tables": rng.sample(qt, rng.randint(1, min(2, len(qt))))}
        if inputs or rng.random() < 0.3:
            p["files"]["data-product-inputs"] = {"inputs": inputs}
        return p

    def consumer(self, rng, account, meta):
        team = rng.choice(TEAMS)
        c = {"account": account, "contact": "%s@example.com" % team}
        safe = [t for t, (v, cl) in meta.items() if v != "confidential" and not any(k for _, k in cl)]
        conf = [t for t, (v, _) in meta.items() if v == "confidential"]
        if safe and rng.random() < 0.06:
            c["type"] = "iam"  # raw S3 read: only on tables without pii/pci, not confidential
            tables = rng.sample(safe, rng.randint(1, min(2, len(safe))))
        else:
            c["type"] = "lakeformation"
            tables = None
            if rng.random() < 0.25:
                tables = rng.sample(list(meta), rng.randint(1, len(meta)))
                tables = [t for t in tables if t not in conf]
                if conf and rng.random() < 0.4:
                    tables.append(rng.choice(conf))
                if not tables:
                    tables = None
        c["team"] = team
        if rng.random() < 0.5:
            c["enterprise-system-landscape-information-tracker"] = "ESLIT-%04d" % rng.randrange(10000)
        c["consumer-role-arn"] = "arn:aws:iam::%s:role/%s-%s" % (account, team, rng.choice(PURPOSES))
        if tables:
            c["tables"] = tables
        if c["type"] == "lakeformation":
            access = {}
            if tables and any(t in conf for t in tables):
                access["confidential"] = self.clearance(rng)
            if rng.random() < 0.12:
                access["pii"] = self.clearance(rng)
            if rng.random() < 0.04:
                access["pci"] = self.clearance(rng)
            if access:
                c["access"] = access
        return c

    def clearance(self, rng):
        return {"approved-by": rng.choice(APPROVERS),
                "reason": rng.choice(["fraud analytics", "customer service quality",
                                      "regulatory reporting", "marketing consent checks"]),
                "expires": "%d-%02d-%02d" % (rng.randint(2030, 2035), rng.randint(1, 12),
                                             rng.randint(1, 28))}

    # ---- the second commit ------------------------------------------------------------
    def change(self, p, k):
        rng = random.Random(self.a.seed * 7919 + k)
        cons = p["files"].setdefault("data-product-consumers", {"consumers": []})["consumers"]
        for _ in range(rng.randint(0, min(2, len(cons)))):  # consumers removed
            cons.pop(rng.randrange(len(cons)))
        have = {c["account"] for c in cons}
        prod_acct = p["files"]["data-product-producer-info"]["producer-account-id"]
        for a in rng.sample(self.accounts, 6):  # consumers added
            if len(cons) >= 30 or rng.random() < 0.4:
                break
            if a not in have and a != prod_acct:
                cons.append(self.consumer(rng, a, p["meta"]))
                have.add(a)
        # reclassify: on a non-public table, classify a plain column, or drop a plain
        # column's earlier pii flag (never declassify a column whose name looks personal)
        vis = p["files"].setdefault("data-product-visibility", {"tables": []})["tables"]
        iam = {t for c in cons if c["type"] == "iam" for t in c.get("tables", [])}
        ent = [e for e in vis if e["visibility"] != "public" and e["name"] not in iam]
        if ent:
            e = rng.choice(ent)
            sens = {n for n, _ in SENSITIVE}
            cols = e.setdefault("columns", [])
            plain_flagged = [c for c in cols if c["name"] not in sens]
            if plain_flagged and rng.random() < 0.5:
                cols.remove(rng.choice(plain_flagged))  # declassified: consumers gain a column
            else:
                outcols = [c["name"] for c in
                           p["files"]["data-product-outputs"]["outputs"][e["name"]]["columns"]]
                flagged = {c["name"] for c in cols}
                cand = [c for c in outcols if c not in flagged and c not in sens]
                if cand:
                    cols.append({"name": rng.choice(cand), "pii": True})  # narrowing
            if not cols:
                del e["columns"]
        p["files"]["data-product"]["version"] = bump(p["files"]["data-product"]["version"])

    # ---- grants, as DESIGN §2 counts them (an estimate for sizing) ---------------------
    def grants(self, p):
        n = 0
        for c in p["files"].get("data-product-consumers", {}).get("consumers", []):
            acc = c.get("access", {})
            tabs = 0
            for t, (v, _) in p["meta"].items():
                named = "tables" in c and t in c["tables"]
                if v == "confidential":
                    tabs += bool(named and "confidential" in acc)
                elif "tables" not in c or named:
                    tabs += 1
            n += tabs + (1 if tabs else 0)
        return n


def bump(v):
    a, b, c = v.split(".")
    return "%s.%s.%d" % (a, b, int(c) + 1)


# ---- serialisation ------------------------------------------------------------------------
PLAIN = re.compile(r"^[a-z][a-z-]*$")
RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def yscalar(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if PLAIN.match(v) and v not in RESERVED:
        return v
    return json.dumps(v)


def ydump(v, ind=0):
    """A small block-style YAML emitter for the shapes the generator produces."""
    sp = " " * ind
    out = []
    if isinstance(v, dict):
        if not v:
            return sp + "{}\n"
        for k, x in v.items():
            if isinstance(x, dict) and x:
                out.append("%s%s:\n%s" % (sp, k, ydump(x, ind + 2)))
            elif isinstance(x, list) and x and all(not isinstance(e, (dict, list)) for e in x):
                out.append("%s%s: [%s]\n" % (sp, k, ", ".join(yscalar(e) for e in x)))
            elif isinstance(x, list) and x:
                out.append("%s%s:\n%s" % (sp, k, ydump(x, ind + 2)))
            elif isinstance(x, (dict, list)):
                out.append("%s%s: %s\n" % (sp, k, "{}" if isinstance(x, dict) else "[]"))
            else:
                out.append("%s%s: %s\n" % (sp, k, yscalar(x)))
        return "".join(out)
    for x in v:  # a list of mappings
        if isinstance(x, dict) and len(x) <= 3 and all(not isinstance(e, (dict, list))
                                                        for e in x.values()):
            out.append("%s- {%s}\n" % (sp, ", ".join("%s: %s" % (k, yscalar(e))
                                                    for k, e in x.items())))
        elif isinstance(x, dict):
            body = ydump(x, ind + 2)
            out.append(sp + "- " + body[ind + 2:])
        else:
            out.append("%s- %s\n" % (sp, yscalar(x)))
    return "".join(out)


def jdump(v):
    s = json.dumps(v, indent=2)
    # one column per line, as people write them
    s = re.sub(r'\{\n\s+("name": "[^"]*"),\n\s+("(?:type|pii|pci)": [^\n]*)\n\s+\}',
               r"{ \1, \2 }", s)
    return s + "\n"


def render(p):
    files = {}
    for kind, body in p["files"].items():
        path = "%s/%s/%s/%s%s" % (CATALOGUE, p["env"], p["folder"], kind, p["ext"])
        files[path] = (ydump(body) if p["ext"] != ".json" else jdump(body)).encode()
    return files


# ---- git ------------------------------------------------------------------------------
def fast_import_commit(fi, ref, files, msg, when, parent=None, mark=None):
    w = fi.stdin.write
    w(b"commit %s\n" % ref.encode())
    if mark:
        w(b"mark :%d\n" % mark)
    w(b"author meshgate bench <bench@example.com> %d +0000\n" % when)
    w(b"committer meshgate bench <bench@example.com> %d +0000\n" % when)
    m = msg.encode()
    w(b"data %d\n%s\n" % (len(m), m))
    if parent:
        w(b"from :%d\n" % parent)
    for path, data in files:
        w(b"M 100644 inline %s\ndata %d\n" % (path.encode(), len(data)))
        w(data)
        w(b"\n")
    w(b"\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="repository to create (replaced if present)")
    ap.add_argument("--products", type=int, default=10000)
    ap.add_argument("--target-grants", type=int, default=0,
                    help="generate products until the desired state holds at least this many "
                         "grants (estimate); overrides --products")
    ap.add_argument("--envs", default="dev,prod")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--yaml-share", type=float, default=0.2)
    ap.add_argument("--change", type=int, default=0, help="products changed in a second commit")
    ap.add_argument("--max-consumers", type=int, default=25)
    ap.add_argument("--accounts", type=int, default=3000, help="size of the consumer account pool")
    ap.add_argument("--unclassified", type=float, default=0.003,
                    help="share of personal-data columns left unclassified (findings)")
    a = ap.parse_args()

    g = Gen(a)
    limit = a.products if not a.target_grants else 10 ** 9
    grants = 0
    i = 0
    while i < limit and (not a.target_grants or grants < a.target_grants):
        p = g.product(i)
        g.products.append(p)
        g.by_env[p["env"]].append(i)
        grants += g.grants(p)
        i += 1

    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    os.makedirs(a.out)
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1")
    run = lambda *cmd: subprocess.run(cmd, cwd=a.out, check=True, env=env, stdout=subprocess.DEVNULL)
    run("git", "init", "-q", "-b", "main")
    run("git", "config", "user.email", "bench@example.com")
    run("git", "config", "user.name", "meshgate bench")
    run("git", "config", "gc.auto", "0")
    fi = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=a.out, env=env,
                          stdin=subprocess.PIPE)
    files, nbytes = [], 0
    files.append(("meshgate.yaml", b"catalogue: data-products-catalogue\nprotected-branch: main\n"))
    files.append((".gitignore", b".meshgate/\n"))
    for p in g.products:
        for path, data in sorted(render(p).items()):
            files.append((path, data))
            nbytes += len(data)
    when = 1700000000
    fast_import_commit(fi, "refs/heads/main", files, "synthetic catalogue: %d products" %
                       len(g.products), when, mark=1)
    changed = []
    if a.change:
        n = len(g.products)
        idx = random.Random(a.seed + 1).sample(range(n), min(a.change, n))
        cfiles = []
        for k, pi in enumerate(sorted(set(idx))):
            p = g.products[pi]
            before = render(p)
            g.change(p, k)
            for path, data in sorted(render(p).items()):
                if before.get(path) != data:
                    cfiles.append((path, data))
            changed.append("%s/%s" % (p["env"], p["folder"]))
        fast_import_commit(fi, "refs/heads/main", cfiles, "change %d products" % len(changed),
                           when + 3600, parent=1, mark=2)
    fi.stdin.write(b"done\n")
    fi.stdin.close()
    if fi.wait() != 0:
        sys.exit("git fast-import failed")
    run("git", "reset", "-q", "--hard", "main")

    man = {"repo": os.path.abspath(a.out), "seed": a.seed, "products": len(g.products),
           "environments": g.envs, "files": len(files) - 2, "bytes": nbytes,
           "yaml_products": sum(p["ext"] != ".json" for p in g.products),
           "consumers": sum(len(p["files"].get("data-product-consumers", {}).get("consumers", []))
                            for p in g.products),
           "estimated_grants": sum(g.grants(p) for p in g.products),
           "changed": changed,
           "folders": ["%s/%s/%s" % (CATALOGUE, p["env"], p["folder"]) for p in g.products]}
    with open(os.path.join(os.path.dirname(os.path.abspath(a.out)),
                           os.path.basename(os.path.abspath(a.out)) + ".manifest.json"), "w") as f:
        json.dump(man, f)
    print("generated %d products (%d YAML), %d files, %.1f MB, %d consumers, ~%d grants%s in %s"
          % (man["products"], man["yaml_products"], man["files"], nbytes / 1e6, man["consumers"],
             man["estimated_grants"], ", %d changed in HEAD" % len(changed) if changed else "",
             a.out), file=sys.stderr)


if __name__ == "__main__":
    main()
