# lf-setup.sh - the common start of the lakeformation CLI tests (sourced after lib.sh):
# skips (77) a build without the backend or a machine without moto (moto-server.sh),
# sets HOME to the scratch directory and clears every variable of the AWS credential
# chain a CI runner may have - keys, profiles, web identity, the container endpoint -
# so only what a test sets is used; the instance metadata service is never asked
# (a runner may be on EC2) unless a test says so.  moto is not started: moto_start.
#
#   lf_example_repo URL   copies examples/lakeformation to $repo, its endpoint-url URL,
#                         as a git repository with one commit
#   faults_start ARGS...  starts tests/cli/aws-faults.py ARGS in front of moto (after
#                         moto_start), its log in $SCRATCH/faults.log, sets $FAULT_URL;
#                         it and moto are stopped on any exit (stop_all)
built=$("$MESHGATE" --version | sed -n 's/^backends: //p')
case ", $built," in
  *", lakeformation,"*) ;;
  *) echo "SKIP: this meshgate is built without the lakeformation backend" >&2; exit 77 ;;
esac
. "$TESTDIR/cli/moto-server.sh"
export HOME="$SCRATCH" GIT_CONFIG_NOSYSTEM=1
unset GITHUB_REF GITHUB_EVENT_NAME CI_COMMIT_BRANCH CI_MERGE_REQUEST_IID AWS_PROFILE AWS_CONFIG_FILE \
  AWS_SHARED_CREDENTIALS_FILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN \
  AWS_REGION AWS_DEFAULT_REGION AWS_ROLE_ARN AWS_ROLE_SESSION_NAME AWS_WEB_IDENTITY_TOKEN_FILE \
  ACTIONS_ID_TOKEN_REQUEST_URL ACTIONS_ID_TOKEN_REQUEST_TOKEN AWS_CONTAINER_CREDENTIALS_FULL_URI \
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_AUTHORIZATION_TOKEN AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \
  AWS_EC2_METADATA_SERVICE_ENDPOINT AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE
export AWS_EC2_METADATA_DISABLED=true

lf_example_repo() {
  repo=$SCRATCH/repo
  cp -r "$SRCDIR/examples/lakeformation" "$repo"
  sed -i "s|^      catalog-id:.*|&\n      endpoint-url: $1|" "$repo/meshgate.yaml"
  git -C "$repo" init -q -b main
  git -C "$repo" config user.name t
  git -C "$repo" config user.email t@example.com
  git -C "$repo" add -A && git -C "$repo" commit -q -m "lakeformation example"
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
