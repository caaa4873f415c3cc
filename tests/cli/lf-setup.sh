# lf-setup.sh - the common start of the lakeformation CLI tests (sourced after lib.sh):
# aws-setup.sh for the lakeformation backend, and:
#
#   lf_example_repo URL   copies examples/lakeformation to $repo, its endpoint-url URL,
#                         as a git repository with one commit
#   faults_start ARGS...  starts tests/cli/aws-faults.py ARGS in front of moto (after
#                         moto_start), its log in $SCRATCH/faults.log, sets $FAULT_URL;
#                         it and moto are stopped on any exit (stop_all)
AWS_BACKEND=lakeformation
. "$TESTDIR/cli/aws-setup.sh"

lf_example_repo() {
  repo=$SCRATCH/repo
  cp -r "$SRCDIR/examples/lakeformation" "$repo"
  sed -i "s|^      catalog-id:.*|&\n      endpoint-url: $1|" "$repo/meshgate.yaml"
  git_repo "$repo"
  commit "lakeformation example"
}

FAULTS_PID=""
stop_all() { [ -n "$FAULTS_PID" ] && kill "$FAULTS_PID" 2>/dev/null; FAULTS_PID=""; moto_stop; }
faults_start() {
  trap 'stop_all' EXIT
  trap 'stop_all; exit 1' INT TERM HUP
  python3 "$TESTDIR/cli/aws-faults.py" --upstream "$MOTO_URL" --port-file "$SCRATCH/fport" \
    --log "$SCRATCH/faults.log" "$@" &
  FAULTS_PID=$!
  for _ in $(seq 50); do [ -s "$SCRATCH/fport" ] && break; sleep 0.1; done
  [ -s "$SCRATCH/fport" ] || { echo "aws-faults.py did not start" >&2; exit 1; }
  FAULT_URL=http://127.0.0.1:$(cat "$SCRATCH/fport")
}
