#!/usr/bin/env bash
# Runs every JitGate test project and ends with one line: "tests: N passed, N failed".
# Installs what the tests need when it is missing.
set -uo pipefail
cd "$(dirname "$0")"

need_apt=()
# The browser tests drive Debian's Chromium; Playwright's own browser download is not used.
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
# The PostgreSQL engine tests start a throwaway PostgreSQL 15 cluster of their own.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
# The MySQL engine tests start a throwaway MariaDB server of their own (mariadb-install-db, mariadbd) and use its client.
{ [ -x /usr/sbin/mariadbd ] && [ -x /usr/bin/mariadb-install-db ] && command -v mariadb >/dev/null; } || need_apt+=(mariadb-server mariadb-client)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing ${need_apt[*]} ..."
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  fi || echo "warning: could not install ${need_apt[*]}"
fi

# The OpenAPI contract tests run Redocly CLI, openapi-typescript and TypeScript from the npm registry,
# installed into a cache folder outside the repository (JITGATE_TOOLS names another one).
tools=${JITGATE_TOOLS:-$HOME/.cache/jitgate-tools}
if [ ! -x "$tools/node_modules/.bin/redocly" ] || [ ! -x "$tools/node_modules/.bin/openapi-typescript" ] || [ ! -x "$tools/node_modules/.bin/tsc" ]; then
  command -v npm >/dev/null 2>&1 || {
    if [ "$(id -u)" = 0 ]; then apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; fi
  }
  echo "Installing @redocly/cli, openapi-typescript and typescript into $tools ..."
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --silent @redocly/cli@2.77.0 openapi-typescript@7.13.0 typescript@5.9.3 >/dev/null \
    || echo "warning: could not install the npm tools the OpenAPI tests use"
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

dotnet restore JitGate.slnx >/dev/null || { echo "restore failed"; echo "tests: 0 passed, 1 failed"; exit 1; }
dotnet build JitGate.slnx -c Release --no-restore -nologo -v q 2>&1 | tail -n 20
build_status=${PIPESTATUS[0]}
if [ "$build_status" -ne 0 ]; then
  echo "build failed"
  echo "tests: 0 passed, 1 failed"
  exit 1
fi

test_status=0
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx;LogFileName=${name}.trx" --results-directory "$results" \
    --logger "console;verbosity=minimal" || test_status=1
done

passed=0; failed=0
for f in "$results"/*.trx; do
  [ -f "$f" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$f" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); p=${p:-0}
  fl=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters"); fl=${fl:-0}
  passed=$((passed + p)); failed=$((failed + fl))
done

echo "tests: ${passed} passed, ${failed} failed"
if [ "$test_status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
