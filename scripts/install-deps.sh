#!/bin/sh
# Installs meshgate's build and test dependencies from Debian packages.
# Run as root (CI and fresh machines are root); uses sudo otherwise.
set -eu
packages="build-essential cmake pkg-config git
  libgit2-dev libcjson-dev libyaml-dev libcurl4-openssl-dev libssl-dev
  libsqlite3-dev libpq-dev"
if [ "${1:-}" = "--test" ]; then
  # clang + compiler-rt for the fuzzers; Python jsonschema to cross-check
  # the shipped schemas; PostgreSQL server for backend tests; headless
  # Chromium for the site's browser test (tests/cli/t0061-site-browser.sh);
  # strace to count what a command opens (tests/cli/t0009-one-repository.sh); the
  # pre-commit framework for tests/cli/t0075-pre-commit.sh.
  packages="$packages clang libclang-rt-14-dev python3 python3-jsonschema chromium postgresql strace pre-commit"
fi
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing:$missing" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
