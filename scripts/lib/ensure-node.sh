#!/usr/bin/env bash
# Installs the JavaScript clients of the end-to-end suites (tests/e2e/node) with `npm ci`, when
# node_modules is missing or was installed from another package-lock.json or Node version.
# The npm cache lives in ${COGNITOD_CACHE_DIR:-$HOME/.cache/cognitod}/npm, so a later install
# on the same machine comes from the cache without the network.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="$root/tests/e2e/node"
cache="${COGNITOD_CACHE_DIR:-$HOME/.cache/cognitod}/npm"

command -v node >/dev/null 2>&1 || { echo "node is not installed (the suites need Node 20 or later)" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "npm is not installed" >&2; exit 1; }
major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$major" -ge 20 ] || { echo "node $(node --version) is too old: the suites need Node 20 or later" >&2; exit 1; }

# What node_modules was installed from: the lockfile and the Node version.
want="$( (cat "$dir/package-lock.json"; node --version) | sha256sum | cut -d' ' -f1)"
stamp="$dir/node_modules/.cognitod-installed"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "installing the JavaScript clients (npm ci in tests/e2e/node)"
  mkdir -p "$cache"
  (cd "$dir" && npm ci --cache "$cache" --prefer-offline --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
fi
echo "javascript clients: node $(node --version), $(cd "$dir" && node -p '["amazon-cognito-identity-js", "aws-jwt-verify", "aws-amplify"].map((p) => p + " " + require("./node_modules/" + p + "/package.json").version).join(", ")')"
