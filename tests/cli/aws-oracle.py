#!/usr/bin/env python3
"""aws-oracle.py - what the AWS endpoint of a test (moto, at $MOTO_URL) really holds,
read and changed with boto3: a third-party client, so meshgate is checked by
something other than its own reading.  Used by tests/cli/t0085-lakeformation.sh.

  perms CATALOG                     every Lake Formation permission, one line each,
                                    sorted: PRINCIPAL RESOURCE PERMS
  grant-all-columns CATALOG PRINCIPAL DB TABLE
                                    a hand-made SELECT on every column of a table (what the
                                    console's "All columns" makes; not meshgate's).  Not a
                                    SELECT on the Table resource: moto 5.2 merges that into
                                    the DESCRIBE meshgate holds there and then fails to revoke
                                    it (a stale set hash: a KeyError, HTTP 500)
  reset                             forgets everything the server holds
"""
import json
import os
import sys
import urllib.request

import boto3

URL = os.environ["MOTO_URL"]


def client(service):
    return boto3.client(service, endpoint_url=URL, region_name="eu-west-1",
                        aws_access_key_id="AKIDORACLE", aws_secret_access_key="oracle")


def resource_text(r):
    if "Database" in r:
        return "database:%s" % r["Database"]["Name"]
    if "Table" in r:
        t = r["Table"]
        return "table:%s.%s" % (t["DatabaseName"], t.get("Name", "*"))
    if "TableWithColumns" in r:
        t = r["TableWithColumns"]
        if "ColumnWildcard" in t:
            cols = " except(%s)" % ",".join(t["ColumnWildcard"].get("ExcludedColumnNames", []))
        else:
            cols = "(%s)" % ",".join(t.get("ColumnNames", []))
        return "columns:%s.%s%s" % (t["DatabaseName"], t["Name"], cols)
    return json.dumps(r, sort_keys=True)


def main(argv):
    lf = client("lakeformation")
    if argv[0] == "perms":
        lines = []
        for kind in ("DATABASE", "TABLE"):
            token = None
            while True:
                kw = {"CatalogId": argv[1], "ResourceType": kind}
                if token:
                    kw["NextToken"] = token
                page = lf.list_permissions(**kw)
                for p in page["PrincipalResourcePermissions"]:
                    if not p["Permissions"]:
                        continue
                    lines.append("%s %s %s" % (p["Principal"]["DataLakePrincipalIdentifier"],
                                               resource_text(p["Resource"]),
                                               ",".join(sorted(p["Permissions"]))))
                token = page.get("NextToken")
                if not token:
                    break
        for line in sorted(lines):
            print(line)
    elif argv[0] == "grant-all-columns":
        catalog, principal, db, table = argv[1:5]
        lf.grant_permissions(CatalogId=catalog, Principal={"DataLakePrincipalIdentifier": principal},
                             Resource={"TableWithColumns": {"CatalogId": catalog, "DatabaseName": db, "Name": table,
                                                            "ColumnWildcard": {}}},
                             Permissions=["SELECT"])
    elif argv[0] == "reset":
        urllib.request.urlopen(urllib.request.Request(URL + "/moto-api/reset", method="POST"), timeout=5)
    else:
        sys.exit("unknown command %s" % argv[0])


if __name__ == "__main__":
    main(sys.argv[1:])
