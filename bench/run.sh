#!/bin/sh
# meshgate benchmark: one command.  Installs what it needs (as root, through apt-get and npm),
# builds meshgate in build-bench/ (Release), generates the catalogues under bench/out/, measures
# meshgate, its peers and the raw git read side by side, and writes bench/out/results.{md,json}.
#
#   bench/run.sh                 # 10,000 products, 5 runs per case
#   bench/run.sh --quick         # 1,000 products, 1 run per case (the CI smoke run)
#   bench/run.sh --keep --repeat 9
#   bench/run.sh --help
#
# With --quick, npm is not used: ajv-cli is measured only if bench/.node already has it.
# With --no-install nothing is installed (the CTest smoke run); a missing required tool
# (git, /usr/bin/python3, python3-jsonschema) then exits 77, which CTest reports as skipped.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
quick=0 noinst=0
for a in "$@"; do
	case "$a" in --quick) quick=1 ;; --no-install) noinst=1 ;; esac
done

need_apt=""
command -v git >/dev/null 2>&1 || need_apt="$need_apt git"
command -v cmake >/dev/null 2>&1 || need_apt="$need_apt cmake"
command -v hyperfine >/dev/null 2>&1 || need_apt="$need_apt hyperfine"
[ -x /usr/bin/time ] || need_apt="$need_apt time"
[ -x /usr/bin/python3 ] || need_apt="$need_apt python3"
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null || need_apt="$need_apt python3-jsonschema"
/usr/bin/python3 -c 'import yaml' 2>/dev/null || need_apt="$need_apt python3-yaml"

if [ -n "$need_apt" ]; then
	if [ "$noinst" = 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "[bench] apt-get install$need_apt" >&2
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need_apt >/dev/null
	else
		echo "[bench] missing:$need_apt (bench/run.sh without --no-install, as root, installs them)" >&2
		# hyperfine, time and python3-yaml have fallbacks (the built-in timing loop, wait4()
		# rusage, the peer skipping YAML files); cmake is only needed without --meshgate
	fi
fi
if [ "$quick" = 0 ] && [ "$noinst" = 0 ] && [ ! -x "$here/.node/node_modules/.bin/ajv" ]; then
	if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null || true
	fi
	if command -v npm >/dev/null 2>&1; then
		echo "[bench] npm install ajv-cli ajv-formats into bench/.node" >&2
		npm install --silent --no-audit --no-fund --prefix "$here/.node" ajv-cli@5 ajv-formats@3 >&2 ||
			echo "[bench] npm install failed: the ajv-cli peer will be skipped" >&2
	fi
fi
# required: exit 77 (a CTest skip) when still missing
for t in git /usr/bin/python3; do
	command -v "$t" >/dev/null 2>&1 || { echo "[bench] $t is required" >&2; exit 77; }
done
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null || { echo "[bench] python3-jsonschema is required" >&2; exit 77; }
args=""
for a in "$@"; do [ "$a" = --no-install ] || args="$args $(printf '%s' "$a" | sed "s/'/'\\\\''/g; s/^/'/; s/\$/'/")"; done
eval "exec /usr/bin/python3 \"\$here/run.py\" $args"
