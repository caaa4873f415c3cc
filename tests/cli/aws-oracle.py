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
  grant-open CATALOG DB [TABLE]     ALL to IAM_ALLOWED_PRINCIPALS on a database or a table (what
                                    "Use only IAM access control" gives new ones)
  reset                             forgets everything the server holds
  make-bucket BUCKET                creates an S3 bucket
  bucket-policy BUCKET              the bucket policy's statements, one line each, sorted:
                                    SID PRINCIPAL ACTION RESOURCE [CONDITION]; "no policy" when none
  put-foreign BUCKET SID            adds a statement meshgate does not own (read-modify-write)
  drop-sid BUCKET SID               removes one statement by hand (what a console user might do)
  fill BUCKET BYTES                 adds foreign filler statements until the policy is BYTES long
  unfill BUCKET                     removes the filler statements
  get-object BUCKET KEY             the object's body, or "no object"
  put-object BUCKET KEY BODY        writes an object (a lock another runner left, say)
  delete-object BUCKET KEY          deletes it (that runner finishing)
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


def get_policy(bucket):
    s3 = client("s3")
    try:
        return json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    except s3.exceptions.ClientError as e:
        if e.response["Error"]["Code"] == "NoSuchBucketPolicy":
            return None
        raise


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
    elif argv[0] == "grant-open":
        catalog, db = argv[1:3]
        res = ({"Table": {"CatalogId": catalog, "DatabaseName": db, "Name": argv[3]}} if len(argv) > 3
               else {"Database": {"CatalogId": catalog, "Name": db}})
        lf.grant_permissions(CatalogId=catalog, Principal={"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"},
                             Resource=res, Permissions=["ALL"])
    elif argv[0] == "get-object":
        try:
            print(client("s3").get_object(Bucket=argv[1], Key=argv[2])["Body"].read().decode())
        except client("s3").exceptions.NoSuchKey:
            print("no object")
    elif argv[0] == "put-object":
        client("s3").put_object(Bucket=argv[1], Key=argv[2], Body=argv[3].encode())
    elif argv[0] == "delete-object":
        client("s3").delete_object(Bucket=argv[1], Key=argv[2])
    elif argv[0] == "make-bucket":
        client("s3").create_bucket(Bucket=argv[1],
                                   CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    elif argv[0] == "bucket-policy":
        pol = get_policy(argv[1])
        if pol is None:
            print("no policy")
            return
        lines = []
        for st in pol["Statement"]:
            pr = st.get("Principal", {})
            pr = pr.get("AWS", pr) if isinstance(pr, dict) else pr
            line = "%s %s %s %s" % (st.get("Sid", "-"), pr, st.get("Action"), st.get("Resource"))
            if "Condition" in st:
                line += " " + json.dumps(st["Condition"], sort_keys=True)
            lines.append(line)
        for line in sorted(lines):
            print(line)
    elif argv[0] == "put-foreign":
        bucket, sid = argv[1:3]
        pol = get_policy(bucket) or {"Version": "2012-10-17", "Statement": []}
        pol["Statement"].append({"Sid": sid, "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                 "Resource": ["arn:aws:s3:::%s" % bucket, "arn:aws:s3:::%s/*" % bucket],
                                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
        client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps(pol))
    elif argv[0] == "drop-sid":
        bucket, sid = argv[1:3]
        pol = get_policy(bucket)
        pol["Statement"] = [st for st in pol["Statement"] if st.get("Sid") != sid]
        client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps(pol))
    elif argv[0] == "fill":
        bucket, size = argv[1], int(argv[2])
        pol = get_policy(bucket) or {"Version": "2012-10-17", "Statement": []}
        i = 0
        while len(json.dumps(pol, separators=(",", ":"))) < size - 200:
            pol["Statement"].append({"Sid": "Filler%04d" % i, "Effect": "Deny", "Principal": "*",
                                     "Action": "s3:DeleteObject",
                                     "Resource": "arn:aws:s3:::%s/filler/%04d/*" % (bucket, i)})
            i += 1
        client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps(pol, separators=(",", ":")))
    elif argv[0] == "unfill":
        pol = get_policy(argv[1])
        pol["Statement"] = [st for st in pol["Statement"] if not st.get("Sid", "").startswith("Filler")]
        client("s3").put_bucket_policy(Bucket=argv[1], Policy=json.dumps(pol))
    elif argv[0] == "reset":
        urllib.request.urlopen(urllib.request.Request(URL + "/moto-api/reset", method="POST"), timeout=5)
    else:
        sys.exit("unknown command %s" % argv[0])


if __name__ == "__main__":
    main(sys.argv[1:])
