# aws-setup.sh - the common start of the CLI tests of an AWS backend (sourced after lib.sh,
# with AWS_BACKEND set to the backend's type): skips (77) a build without that backend or a
# machine without moto (moto-server.sh), sets HOME to the scratch directory and clears every
# variable of the AWS credential chain a CI runner may have - keys, profiles, web identity,
# the container endpoint - so only what a test sets is used; the instance metadata service
# is never asked (a runner may be on EC2) unless a test says so.  moto is not started:
# moto_start.
built=$("$MESHGATE" --version | sed -n 's/^backends: //p')
case ", $built," in
  *", $AWS_BACKEND,"*) ;;
  *) echo "SKIP: this meshgate is built without the $AWS_BACKEND backend" >&2; exit 77 ;;
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
