#!/usr/bin/env bash
# The AWS CLI acceptance scenario: the first commands a Cognito user types, checked exactly.
# Needs COGNITOD_ENDPOINT and the root key in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
set -euo pipefail

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
idp() { aws cognito-idp --endpoint-url "$COGNITOD_ENDPOINT" --output json "$@"; }

checks=0
fail() { echo "FAIL: $*" >&2; echo "cli: $checks passed, 1 failed"; exit 1; }
expect() { # what, expected, actual
  [ "$2" = "$3" ] || fail "$1: expected [$2], got [$3]"
  checks=$((checks + 1))
}
# Evaluates a Python expression over the JSON document on stdin, bound to `d`.
field() { python3 -c 'import json, re, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$@"; }
# Runs a command that must fail; leaves its stderr in $scratch/err and its exit code in $rc.
must_fail() {
  rc=0
  "$@" >"$scratch/out" 2>"$scratch/err" || rc=$?
  [ "$rc" -ne 0 ] || fail "expected failure of: $* (output: $(cat "$scratch/out"))"
}

# -- pool
idp create-user-pool --pool-name cli-pool >"$scratch/pool.json"
pool=$(field 'd["UserPool"]["Id"]' <"$scratch/pool.json")
expect "pool id shape" yes "$(python3 -c 'import re, sys; print("yes" if re.fullmatch(r"us-east-1_[0-9A-Za-z]+", sys.argv[1]) else "no")' "$pool")"
expect "pool name" cli-pool "$(field 'd["UserPool"]["Name"]' <"$scratch/pool.json")"

# -- app client with a secret
idp create-user-pool-client --user-pool-id "$pool" --client-name cli-app --generate-secret >"$scratch/client.json"
client_id=$(field 'd["UserPoolClient"]["ClientId"]' <"$scratch/client.json")
secret=$(field 'd["UserPoolClient"].get("ClientSecret", "")' <"$scratch/client.json")
expect "client secret shape" yes "$(python3 -c 'import re, sys; print("yes" if re.fullmatch(r"[\w+]{24,64}", sys.argv[1]) else "no")' "$secret")"
expect "client name" cli-app "$(field 'd["UserPoolClient"]["ClientName"]' <"$scratch/client.json")"
expect "secret in describe-user-pool-client" "$secret" \
  "$(idp describe-user-pool-client --user-pool-id "$pool" --client-id "$client_id" | field 'd["UserPoolClient"].get("ClientSecret")')"

# -- users
for user in a1 a2 b1; do
  idp admin-create-user --user-pool-id "$pool" --username "$user" \
    --user-attributes Name=email,Value="$user@example.com" --message-action SUPPRESS >"$scratch/user.json"
  expect "admin-create-user $user" "$user FORCE_CHANGE_PASSWORD True" \
    "$(field '" ".join([d["User"]["Username"], d["User"]["UserStatus"], str(d["User"]["Enabled"])])' <"$scratch/user.json")"
done
expect "list-users without a filter" "a1,a2,b1" \
  "$(idp list-users --user-pool-id "$pool" | field '",".join(sorted(u["Username"] for u in d["Users"]))')"
expect "list-users --filter 'email ^= \"a\"'" "a1,a2" \
  "$(idp list-users --user-pool-id "$pool" --filter 'email ^= "a"' | field '",".join(sorted(u["Username"] for u in d["Users"]))')"

# -- groups
idp create-group --user-pool-id "$pool" --group-name admins --description "The admins" >"$scratch/group.json"
expect "create-group" "admins The admins $pool" \
  "$(field '" ".join([d["Group"]["GroupName"], d["Group"]["Description"], d["Group"]["UserPoolId"]])' <"$scratch/group.json")"
idp admin-add-user-to-group --user-pool-id "$pool" --username b1 --group-name admins
expect "list-users-in-group" "b1" \
  "$(idp list-users-in-group --user-pool-id "$pool" --group-name admins | field '",".join(u["Username"] for u in d["Users"])')"

# -- a service error comes back as the AWS CLI prints it
missing="us-east-1_Missing000"
must_fail idp describe-user-pool --user-pool-id "$missing"
# AWS CLI v2 exits 254 on a service error, v1 exits 255; any other code is a client-side failure.
case "$rc" in 254 | 255) service_rc=ok ;; *) service_rc="$rc" ;; esac
expect "exit code of a service error (254 or 255)" ok "$service_rc"
expect "stderr of a service error" \
  "An error occurred (ResourceNotFoundException) when calling the DescribeUserPool operation: User pool $missing does not exist." \
  "$(grep -v '^$' "$scratch/err" | sed -E 's/ \(reached max retries: [0-9]+\)//')"

# -- delete
idp delete-user-pool --user-pool-id "$pool"
must_fail idp describe-user-pool --user-pool-id "$pool"
expect "describe after delete-user-pool" 1 "$(grep -c 'ResourceNotFoundException' "$scratch/err")"
expect "pool gone from list-user-pools" "" \
  "$(idp list-user-pools --max-results 60 | field '",".join(p["Id"] for p in d["UserPools"] if p["Id"] == sys.argv[2])' "$pool")"

echo "cli: $checks passed, 0 failed"
