#!/bin/sh
# Hostile and broken input: each gives a clear finding (or error) and exit
# status, in bounded time (every run is under `timeout`), and nothing else
# in the catalogue is lost: the good product next to it is still checked.
. "$TESTDIR/cli/lib.sh"

repo=$SCRATCH/repo
cat=$repo/data-products-catalogue/prod
product "$cat/good" good good-bucket 111122223333
product "$cat/bad" bad bad-bucket 222233334444
bad=$cat/bad
# A finding in the good product proves it is still checked next to the bad one.
sed -i 's/"owner@example.com"/"not-an-email"/' "$cat/good/data-product.json"
good_line='data-products-catalogue/prod/good/data-product.json:3:25: error:'

check() { # check DESCRIPTION EXPECTED-LINE-PATTERN
  begin "$1"
  run_mg validate -C "$repo"
  expect_status 1 "$status"
  expect_grep "$2" "$SCRATCH/out"
  expect_grep "$good_line" "$SCRATCH/out"
}

printf '{\n  "data-product-name": "bad",\n  "data-product-ow' >"$bad/data-product.json"
check "truncated file" 'bad/data-product.json:3:3: error: unterminated string \[parse\]'

head -c 4096 /dev/zero | tr '\0' '\377' >"$bad/data-product.json"
check "binary garbage" 'bad/data-product.json:1:1: error: unexpected byte 0xff, expected a value \[parse\]'

head -c 52428800 /dev/zero | tr '\0' ' ' >"$bad/data-product.json"
check "a 50 MB file" 'bad/data-product.json:1:1: error: .* larger than the limit of 1048576 \[parse\]'

awk 'BEGIN { for (i = 0; i < 10000; i++) printf "["; for (i = 0; i < 10000; i++) printf "]" }' >"$bad/data-product.json"
check "10,000-deep JSON nesting" 'bad/data-product.json:1:65: error: nesting deeper than the limit of 64 \[parse\]'

rm "$bad/data-product.json"
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "["; for (i = 0; i < 10000; i++) printf "]" }' >"$bad/data-product.yaml"
check "10,000-deep YAML nesting" 'bad/data-product.yaml:1:65: error: .*nesting.*\[parse\]'

cat >"$bad/data-product.yaml" <<'YAML'
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
YAML
check "YAML alias bomb" 'bad/data-product.yaml:[0-9]*:[0-9]*: error: .*alias.*\[parse\]'

printf 'data-product-name: "caf\303"\ndata-product-owner: x@example.com\n' >"$bad/data-product.yaml"
check "invalid UTF-8" 'bad/data-product.yaml:1:.*: error: .*UTF-8.*\[parse\]'

rm "$bad/data-product.yaml"
mkdir "$bad/data-product.json"
check "a directory where a file should be" "bad/data-product.json: error: 'data-products-catalogue/prod/bad/data-product.json' is a directory; expected a regular file \[not-a-file\]"
expect_grep "bad: error: product folder has no data-product.json" "$SCRATCH/out"

rmdir "$bad/data-product.json"
ln -s /etc/passwd "$bad/data-product.json"
check "a symlink is never followed" "bad/data-product.json: error: .* is a symbolic link (never followed); expected a regular file \[not-a-file\]"

rm "$bad/data-product.json"
mkfifo "$bad/data-product.json"
check "a FIFO does not hang" "bad/data-product.json: error: .* is not a regular file.*\[not-a-file\]"
rm "$bad/data-product.json"

printf '{"data-product-name": "bad", "data-product-owner": "a@b.co"}' >"$bad/data-product.json"
printf '{"data-product-name": "bad"}' >"$bad/data-product.yaml"
check "two spellings of one file" "bad/data-product.yaml: error: .* two spellings of the same file; keep one \[duplicate-file\]"

finish
