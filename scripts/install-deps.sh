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
  # pre-commit framework for tests/cli/t0075-pre-commit.sh; yamllint and PyYAML
  # for the CI templates (tests/cli/t0078-ci-templates.sh).
  packages="$packages clang libclang-rt-14-dev python3 python3-jsonschema chromium postgresql strace pre-commit
    yamllint python3-yaml"
fi
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ -n "$missing" ]; then
  echo "installing:$missing" >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# The GitHub workflow linter (tests/cli/t0078-ci-templates.sh) is an npm package; a pinned
# version, installed only where npm exists (the test then lints by structure alone).
if [ "${1:-}" = "--test" ] && command -v npm >/dev/null 2>&1 && ! command -v action-validator >/dev/null 2>&1; then
  echo "installing: @action-validator/cli@0.6.0 (npm)" >&2
  $SUDO npm install -g --no-fund --no-audit @action-validator/cli@0.6.0 >/dev/null
fi
# ajv, the JSON Schema validator of the JavaScript editors and tools, checks the schemas in
# strict mode (tests/cli/t0064-schema-docs.sh); pinned, installed only where npm exists.
if [ "${1:-}" = "--test" ] && command -v npm >/dev/null 2>&1 &&
   ! NODE_PATH=$(npm root -g) node -e 'require("ajv/dist/2020"); require("ajv-formats")' >/dev/null 2>&1; then
  echo "installing: ajv@8.17.1 ajv-formats@3.0.1 (npm)" >&2
  $SUDO npm install -g --no-fund --no-audit ajv@8.17.1 ajv-formats@3.0.1 >/dev/null
fi
