#!/usr/bin/env bash
# Alternating-build pairs: the bar for a lever that replaces a framework or library internal
# (docs/performance.md, "Levers"). Runs one scenario of our server (bench/run.sh --only) against
# build A and build B in turn, each run a fresh process on a fresh database, in counterbalanced
# pairs (A B, B A, A B, ...) so that the VM's drift falls on both sides alike. Prints every pair's
# rates and server CPU per operation and the median over the pairs of B / A, and keeps all of it
# as bench/results/ab-<time>.json.
#
#   bench/ab.sh --a DIR --b DIR --scenario cc|refresh [--pairs 6] [--warmup 60] [--duration 10]
#               [--db sqlite|postgres] [--a-env K=V]... [--b-env K=V]... [--name TEXT]
#
#   --a, --b     published server folders (dotnet publish src/IdentityProvider -c Release -o DIR);
#                one folder twice with different --a-env/--b-env compares two settings of one build
#   --a-env, --b-env
#                an environment variable for that side's server (repeatable), e.g.
#                --b-env Oidc__ClientCacheLifetime=00:00:00
#   --name       what is compared, kept in the JSON
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
A=""; B=""; SCENARIO=""; PAIRS=6; WARMUP=60; DURATION=10; DB=sqlite; NAME=""
A_ENV=(); B_ENV=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --a) A="$2"; shift 2 ;;
    --b) B="$2"; shift 2 ;;
    --a-env) A_ENV+=("$2"); shift 2 ;;
    --b-env) B_ENV+=("$2"); shift 2 ;;
    --scenario) SCENARIO="$2"; shift 2 ;;
    --pairs) PAIRS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --db) DB="$2"; shift 2 ;;
    --name) NAME="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "ab.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -n "$A" && -n "$B" && -n "$SCENARIO" ]] || { echo "ab.sh: --a, --b and --scenario are required (see --help)" >&2; exit 2; }
case "$SCENARIO" in cc) LABEL=client-credentials ;; refresh) LABEL=refresh ;; *) echo "ab.sh: --scenario must be cc or refresh" >&2; exit 2 ;; esac
case "$DB" in sqlite|postgres) ;; *) echo "ab.sh: --db must be sqlite or postgres" >&2; exit 2 ;; esac

ID="$(date -u +%Y%m%dT%H%M%SZ)"
LINES="$BENCH/results/tmp/ab-$ID.jsonl"
mkdir -p "$BENCH/results/tmp"
: >"$LINES"

# One run of one side; appends {"side", "pair", "rate", "cpuMsPerOp", "errors", "work"} to $LINES.
run_side() { # side pair
  local dir env=() log work
  if [[ $1 == A ]]; then dir="$A"; env=("${A_ENV[@]}"); else dir="$B"; env=("${B_ENV[@]}"); fi
  log="$BENCH/results/tmp/ab-$ID-$2-$1.log"
  env "${env[@]}" "$BENCH/run.sh" --idp "$dir" --only "$SCENARIO" --db "$DB" --warmup "$WARMUP" --duration "$DURATION" >"$log" 2>&1 \
    || { tail -n 20 "$log" >&2; echo "ab.sh: run $2 $1 failed (see $log)" >&2; exit 1; }
  work="$(sed -n 's/^run.sh: raw results and logs: //p' "$log" | tail -n 1)"
  node -e '
    const [file, side, pair, work] = process.argv.slice(1);
    const r = JSON.parse(require("fs").readFileSync(file, "utf8"));
    const cpu = r.server?.serverCpuSeconds != null && r.completed ? r.server.serverCpuSeconds * 1000 / r.completed : null;
    console.log(JSON.stringify({ side, pair: +pair, rate: r.rate, cpuMsPerOp: cpu, errors: r.errors, work }));
  ' "$BENCH/../$work/results/$LABEL-ours-$DB.json" "$1" "$2" "$work" >>"$LINES"
  tail -n 1 "$LINES" >&2
}

for ((i = 1; i <= PAIRS; i++)); do
  if (( i % 2 == 1 )); then run_side A "$i"; run_side B "$i"; else run_side B "$i"; run_side A "$i"; fi
done

node -e '
  const fs = require("fs");
  const [lines, out, name, scenario, db, a, b, aEnv, bEnv, warmup, duration] = process.argv.slice(1);
  const runs = fs.readFileSync(lines, "utf8").trim().split("\n").map(JSON.parse);
  const median = xs => { const s = [...xs].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  const pairs = [...new Set(runs.map(r => r.pair))].map(p => {
    const ra = runs.find(r => r.pair === p && r.side === "A"), rb = runs.find(r => r.pair === p && r.side === "B");
    return { pair: p, a: ra, b: rb, rateRatio: rb.rate / ra.rate, cpuRatio: rb.cpuMsPerOp / ra.cpuMsPerOp };
  });
  const summary = {
    name, scenario, db, warmupSeconds: +warmup, durationSeconds: +duration,
    a: { build: a, env: aEnv ? aEnv.split("\u0001") : [] }, b: { build: b, env: bEnv ? bEnv.split("\u0001") : [] },
    medianRateA: median(pairs.map(p => p.a.rate)), medianRateB: median(pairs.map(p => p.b.rate)),
    medianRateRatio: median(pairs.map(p => p.rateRatio)), medianCpuRatio: median(pairs.map(p => p.cpuRatio)),
    pairsBFaster: pairs.filter(p => p.rateRatio > 1).length, errors: runs.reduce((n, r) => n + (r.errors || 0), 0), pairs,
  };
  fs.writeFileSync(out, JSON.stringify(summary, null, 1) + "\n");
  for (const p of pairs) console.log(`pair ${p.pair}: A ${p.a.rate.toFixed(1)}/s ${p.a.cpuMsPerOp?.toFixed(3)} ms  B ${p.b.rate.toFixed(1)}/s ${p.b.cpuMsPerOp?.toFixed(3)} ms  B/A ${p.rateRatio.toFixed(3)}`);
  console.log(`${name || "A/B"} (${scenario}, ${db}): median A ${summary.medianRateA.toFixed(1)}/s, B ${summary.medianRateB.toFixed(1)}/s; median B/A rate ${summary.medianRateRatio.toFixed(3)}, CPU per op ${summary.medianCpuRatio.toFixed(3)}; B faster in ${summary.pairsBFaster} of ${pairs.length} pairs; errors ${summary.errors}`);
' "$LINES" "$BENCH/results/ab-$ID.json" "$NAME" "$SCENARIO" "$DB" "$A" "$B" \
  "$(IFS=$'\001'; echo "${A_ENV[*]}")" "$(IFS=$'\001'; echo "${B_ENV[*]}")" "$WARMUP" "$DURATION"
echo "ab.sh: kept as bench/results/ab-$ID.json" >&2
