#!/usr/bin/env bash
# End-to-end suites with real clients (the AWS CLI scenario, then the boto3 suite) against a
# real `cognitod serve` on a fresh store.
#
#   COGNITOD_BIN=target/debug/cognitod tests/e2e/run.sh sqlite|postgres
#
# postgres: a database `cognitod_e2e_<random>` is created on the server of
# COGNITOD_TEST_DATABASE_URL and dropped at the end.
#
# The suites get: COGNITOD_ENDPOINT, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (the root key),
# AWS_DEFAULT_REGION, COGNITOD_BIN, COGNITOD_BACKEND, COGNITOD_DATA_DIR, COGNITOD_DATABASE_URL
# (postgres only), COGNITOD_STORE_ARGS (the store flags of the server, for admin commands),
# COGNITOD_SERVE_CMD (the server's command line) and COGNITOD_RESTART (a command that stops
# the server with SIGTERM and starts it again on the same store).
#
# The sign-in suites are test_signin.py and test_pycognito.py in the boto3 phase, then a
# JavaScript phase (`node --test` in tests/e2e/node: amazon-cognito-identity-js, aws-jwt-verify, Amplify v6;
# install them with scripts/lib/ensure-node.sh). aws-jwt-verify fetches its JWKS with
# https.request and Amplify is meant for https, so for that phase the server is restarted on the
# same store and port with `--tls-self-signed`: COGNITOD_ENDPOINT becomes https://…, and Node
# trusts <data dir>/ca.pem through NODE_EXTRA_CA_CERTS (curl, for the readiness probe, through
# CURL_CA_BUNDLE). The CLI and boto3 phases stay on plain http.
set -euo pipefail

backend="${1:-}"
case "$backend" in
  sqlite | postgres) ;;
  *) echo "usage: run.sh sqlite|postgres" >&2; exit 2 ;;
esac
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export COGNITOD_BIN="${COGNITOD_BIN:?set COGNITOD_BIN to the cognitod binary}"
[ -x "$COGNITOD_BIN" ] || { echo "COGNITOD_BIN=$COGNITOD_BIN is not an executable" >&2; exit 2; }
admin_url="${COGNITOD_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"

random_hex() { python3 -c 'import secrets; print(secrets.token_hex(8))'; }

work="$(mktemp -d "${TMPDIR:-/tmp}/cognitod-e2e.XXXXXX")"
database=""
cleanup() {
  local status=$?
  COGNITOD_E2E_DIR="$work" bash "$here/server.sh" stop || true
  if [ "$status" -ne 0 ]; then
    echo "---- cognitod log (last 150 lines) ----"
    tail -n 150 "$work/server.log" 2>/dev/null || echo "(no log)"
  fi
  if [ -n "$database" ]; then
    psql "$admin_url" -qXc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Everything the server and the suites read comes from here, not from the caller's setup.
unset COGNITOD_DATABASE_URL COGNITOD_MASTER_KEY COGNITOD_INSECURE_DEV COGNITOD_REGION \
  COGNITOD_LISTEN COGNITOD_PUBLIC_URL AWS_ENDPOINT_URL AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER \
  AWS_PROFILE AWS_SESSION_TOKEN AWS_CA_BUNDLE

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export COGNITOD_DATA_DIR="$work/data"
store_args="--data-dir $COGNITOD_DATA_DIR"
if [ "$backend" = postgres ]; then
  database="cognitod_e2e_$(random_hex)"
  psql "$admin_url" -qXc "CREATE DATABASE $database" >/dev/null
  COGNITOD_DATABASE_URL="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$admin_url" "$database")"
  export COGNITOD_DATABASE_URL
  store_args="$store_args --database-url $COGNITOD_DATABASE_URL"
fi
export COGNITOD_BACKEND="$backend"
export COGNITOD_STORE_ARGS="$store_args"
export COGNITOD_SERVE_CMD="$COGNITOD_BIN serve --listen 127.0.0.1:$port $store_args"
export COGNITOD_E2E_DIR="$work"
export COGNITOD_RESTART="bash $here/server.sh restart"
export COGNITOD_ENDPOINT="http://127.0.0.1:$port"

# AWS-shaped root key: AKIA + 16 base32 characters, a 40-character secret.
COGNITOD_ROOT_ACCESS_KEY_ID="AKIA$(python3 -c 'import secrets; print("".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)))')"
COGNITOD_ROOT_SECRET_ACCESS_KEY="$(python3 -c 'import secrets, string; a = string.ascii_letters + string.digits + "+/"; print("".join(secrets.choice(a) for _ in range(40)))')"
export COGNITOD_ROOT_ACCESS_KEY_ID COGNITOD_ROOT_SECRET_ACCESS_KEY
export AWS_ACCESS_KEY_ID="$COGNITOD_ROOT_ACCESS_KEY_ID"
export AWS_SECRET_ACCESS_KEY="$COGNITOD_ROOT_SECRET_ACCESS_KEY"
export AWS_DEFAULT_REGION=us-east-1
# No profile, config file or metadata service of the machine may leak into the clients.
export AWS_CONFIG_FILE="$work/aws-config" AWS_SHARED_CREDENTIALS_FILE="$work/aws-credentials"
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER="" AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard
export PYTHONDONTWRITEBYTECODE=1

bash "$here/server.sh" start
echo "cognitod ($backend) ready at $COGNITOD_ENDPOINT"

status=0
echo "==> AWS CLI scenario ($backend)"
bash "$here/cli.sh" || status=1
echo "==> boto3 suite ($backend)"
python3 -m pytest -q -p no:cacheprovider --rootdir "$here/python" "$here/python" || status=1

echo "==> JavaScript clients over https ($backend)"
ca="$COGNITOD_DATA_DIR/ca.pem"
export COGNITOD_SERVE_CMD="$COGNITOD_SERVE_CMD --tls-self-signed"
export COGNITOD_ENDPOINT="https://127.0.0.1:$port"
export CURL_CA_BUNDLE="$ca"
if [ ! -d "$here/node/node_modules" ]; then
  echo "tests/e2e/node/node_modules is missing: run scripts/lib/ensure-node.sh" >&2
  status=1
elif bash "$here/server.sh" restart; then
  echo "cognitod ($backend) ready at $COGNITOD_ENDPOINT"
  (cd "$here/node" && NODE_EXTRA_CA_CERTS="$ca" node --test --test-concurrency=1) || status=1
else
  status=1
fi
exit "$status"
