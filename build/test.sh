#!/usr/bin/env bash
# Runs every test of the solution; the one command for a fresh Debian machine and for CI (.ci/run).
#
#   build/test.sh [extra dotnet test arguments, e.g. --filter Category=Unit]
#
# 1. Installs what the tests need from Debian, only if missing: PostgreSQL (tests start throwaway
#    clusters, there is no Docker), Chromium (Playwright's own browser download does not work here)
#    and CJK fonts (Japanese text in screenshots). Needs root for that, and only for that.
# 2. Runs `dotnet test` on the solution with a .trx report per test project in $RESULTS
#    (default artifacts/test-results, emptied first).
# 3. Adds up all .trx files and prints, as the very last line, "N passed, N failed, N skipped".
#    Exits non-zero if dotnet test failed, any test failed, or no test ran at all.
#
# Overrides: IDP_TEST_PG_BIN (PostgreSQL bin folder), IDP_TEST_CHROMIUM (browser executable), RESULTS.
set -euo pipefail

ORIGINAL_PWD="$PWD"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Whatever happens (set -e, a missing tool), the last line is a totals line and the exit code non-zero.
TOTALS_PRINTED=0
# shellcheck disable=SC2317  # called by the EXIT trap
on_exit() {
  local rc=$?
  if [[ $TOTALS_PRINTED == 0 ]]; then
    echo "0 passed, 1 failed, 0 skipped"
    exit $(( rc == 0 ? 1 : rc ))
  fi
}
trap on_exit EXIT

say() { echo "test.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# --- 1. Machine prerequisites -----------------------------------------------------------------

newest_pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/initdb" ]] && echo "$dir"
  done | sort -V | tail -n 1
}

deb_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

missing=()
if [[ -n "${IDP_TEST_PG_BIN:-}" ]]; then
  [[ -x "$IDP_TEST_PG_BIN/initdb" ]] || die "IDP_TEST_PG_BIN=$IDP_TEST_PG_BIN has no initdb."
elif [[ -z "$(newest_pg_bin)" ]]; then
  missing+=(postgresql)
fi
if [[ -n "${IDP_TEST_CHROMIUM:-}" ]]; then
  [[ -x "$IDP_TEST_CHROMIUM" ]] || die "IDP_TEST_CHROMIUM=$IDP_TEST_CHROMIUM is not an executable."
elif [[ ! -x /usr/bin/chromium ]]; then
  missing+=(chromium)
fi
# Node.js and npm: the openid-client interoperability test (test/interop/openid-client) runs on them.
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if command -v dpkg-query >/dev/null; then
  deb_installed fonts-noto-cjk || missing+=(fonts-noto-cjk)
else
  say "not a Debian system: cannot check for CJK fonts (Japanese text in screenshots may show as boxes)."
fi

if (( ${#missing[@]} > 0 )); then
  if [[ $EUID -ne 0 ]]; then
    die "missing Debian packages: ${missing[*]}. Install them as root, then run this again:
  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
  fi
  command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get to install them."
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi

IDP_TEST_PG_BIN="${IDP_TEST_PG_BIN:-$(newest_pg_bin)}"
IDP_TEST_CHROMIUM="${IDP_TEST_CHROMIUM:-/usr/bin/chromium}"
[[ -x "$IDP_TEST_PG_BIN/initdb" ]] || die "no PostgreSQL found after installing it (/usr/lib/postgresql/*/bin/initdb)."
[[ -x "$IDP_TEST_CHROMIUM" ]] || die "no Chromium found after installing it ($IDP_TEST_CHROMIUM)."
export IDP_TEST_PG_BIN IDP_TEST_CHROMIUM

command -v dotnet >/dev/null || die "the .NET SDK (see global.json) is not installed or not on PATH."

# --- 2. Tests ---------------------------------------------------------------------------------

RESULTS="${RESULTS:-$ROOT/artifacts/test-results}"
[[ "$RESULTS" == /* ]] || RESULTS="$ORIGINAL_PWD/$RESULTS"
RESULTS="$(realpath -m -- "$RESULTS")"
case "$RESULTS" in
  / | "$ROOT" | "$HOME") die "refusing to empty RESULTS=$RESULTS" ;;
esac
rm -rf -- "$RESULTS"
mkdir -p -- "$RESULTS"

# No LogFileName: with one the projects would overwrite each other's report (this SDK does not
# expand {assembly}); the default name is reserved with CreateNew, so parallel projects each get one.
dotnet_args=(test IdentityProvider.sln -c Release --logger trx --results-directory "$RESULTS")
if [[ -n "${CI:-}" && "${CI,,}" != false ]]; then
  dotnet_args+=(--interactive false)   # never wait for a NuGet credential prompt in CI
fi

dotnet_rc=0
dotnet "${dotnet_args[@]}" "$@" || dotnet_rc=$?

# --- 3. Totals --------------------------------------------------------------------------------

mapfile -t trx_files < <(find "$RESULTS" -name '*.trx' -type f | sort)
if (( ${#trx_files[@]} == 0 )); then
  say "no .trx report in $RESULTS: the build or the test run failed before any test (dotnet test exit code $dotnet_rc)."
  exit 1   # on_exit prints the totals line
fi

# Plain awk (no python3 or xmllint on a fresh machine). A record is everything up to a '>', so the
# <Counters .../> element is one record however it is wrapped. Counters.notExecuted stays 0 for
# NUnit's ignored/explicit/inconclusive tests (they count in total but not executed), so
# skipped = total - passed - failed, where failed includes error, timeout and aborted. A run that
# failed with no failed test (test host crash) counts as one failure.
# Prints one line per report, then "passed failed skipped executed".
summary="$(awk -v RS='>' '
  function attr(record, name,    m) {
    if (match(record, "[ \t\r\n]" name "=\"[0-9]+\"")) {
      m = substr(record, RSTART, RLENGTH)
      gsub(/[^0-9]/, "", m)
      return m + 0
    }
    return 0
  }
  FNR == 1 {
    if (file != "") report()
    file = FILENAME; found = 0; assembly = ""; outcome = ""
  }
  assembly == "" && match($0, /codeBase="[^"]*"/) {
    assembly = substr($0, RSTART + 10, RLENGTH - 11)
    sub(/.*\//, "", assembly)
  }
  outcome == "" && match($0, /<ResultSummary[ \t\r\n]+outcome="[^"]*"/) {
    outcome = substr($0, RSTART, RLENGTH)
    sub(/.*outcome="/, "", outcome); sub(/"$/, "", outcome)
  }
  /<Counters[ \t\r\n]/ {
    found = 1
    total = attr($0, "total"); executed = attr($0, "executed"); passed = attr($0, "passed")
    failed = attr($0, "failed") + attr($0, "error") + attr($0, "timeout") + attr($0, "aborted")
  }
  function report(    skipped, name, note) {
    name = file; sub(/.*\//, "", name)
    if (!found) {
      printf "  %s: no <Counters> element (incomplete report), counted as 1 failure\n", name
      total_failed += 1
      return
    }
    skipped = total - passed - failed
    if (skipped < 0) skipped = 0
    note = ""
    if (failed == 0 && outcome != "" && outcome != "Completed" && outcome != "Passed" && outcome != "Warning") {
      failed = 1; note = " (run outcome " outcome ", counted as 1 failure)"
    }
    printf "  %s (%s): %d passed, %d failed, %d skipped%s\n", name, assembly == "" ? "no tests" : assembly, passed, failed, skipped, note
    total_passed += passed; total_failed += failed; total_skipped += skipped; total_executed += executed
  }
  END {
    if (file != "") report()
    printf "%d %d %d %d\n", total_passed, total_failed, total_skipped, total_executed
  }
' "${trx_files[@]}")"

echo "Test reports in $RESULTS:"
sed '$d' <<<"$summary"
read -r passed failed skipped executed < <(tail -n 1 <<<"$summary")

rc=0
if (( executed == 0 )); then
  say "no test was executed."
  rc=1
fi
if (( dotnet_rc != 0 )); then
  say "dotnet test exited with code $dotnet_rc."
  rc=$dotnet_rc
fi
if (( failed > 0 )); then
  rc=1
elif (( rc != 0 )); then
  failed=1   # so that "0 failed" on the last line always means success
fi

TOTALS_PRINTED=1
echo "$passed passed, $failed failed, $skipped skipped"
exit "$rc"
