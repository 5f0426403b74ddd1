#!/usr/bin/env bash
# Runs the tests of temporalio/samples-typescript that need only a Temporal server against our
# embedded server (bin/temporal-dev-server). See README.md beside this file.
#
#   scripts/temporal-samples/run.sh SOURCE [WORKDIR] [SAMPLE...]
#
# SOURCE   a path or git URL of temporalio/samples-typescript (cloned into WORKDIR/repo; an existing
#          WORKDIR/repo is reused as it is, with the node_modules it already has)
# WORKDIR  where the clone, logs and summary go (default /tmp/temporal-samples)
# SAMPLE   sample folders to run (default: all in SAMPLES below)
#
# Environment: NICE (default 19), TRIES (runs of a sample whose server missed the SDK's 5 s start,
# default 3), TIMEOUT (seconds per test command, default 1200), TRACE=1 (the server logs every call
# to the sample's log: TEMPORAL_SERVER_TRACE=1).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(cd "$here/../.." && pwd)"
preload="$here/preload.js"
server="$project/bin/temporal-dev-server"

# The samples whose tests start a Temporal server (TestWorkflowEnvironment.createLocal /
# createTimeSkipping) and need nothing else. langsmith and openai-agents are one package with one
# test command each, over several sub-samples (their model and tracing clients are fakes in the
# tests). Left out: ai-sdk (its workflow test is skipped without OPENAI_API_KEY; what remains needs no
# server).
SAMPLES=(
  hello-world
  activities-examples
  early-return
  eager-workflow-start
  message-passing/introduction
  message-passing/safe-message-handlers
  mutex
  polling/infrequent
  sleep-for-days
  timer-examples
  standalone-activity
  nexus-standalone-operations
  workflow-streams
  nestjs-exchange-rates
  langsmith
  openai-agents
)

if [ $# -lt 1 ]; then
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
source_="$1"
workdir="${2:-/tmp/temporal-samples}"
shift $(($# >= 2 ? 2 : 1))
[ $# -gt 0 ] && SAMPLES=("$@")

NICE="${NICE:-19}"
TRIES="${TRIES:-3}"
TIMEOUT="${TIMEOUT:-1200}"

[ -x "$server" ] || { echo "no $server" >&2; exit 1; }
[ -f "$project/dist/temporal-server/cli.js" ] || { echo "no $project/dist: run npm run build first" >&2; exit 1; }

mkdir -p "$workdir/logs"
repo="$workdir/repo"
if [ ! -d "$repo" ]; then
  if [ -d "$source_" ] && [ ! -e "$source_/.git" ] && [ ! -e "$source_/HEAD" ]; then
    cp -r "$source_" "$repo"
  else
    git clone --quiet "$source_" "$repo" || exit 1
  fi
fi
samples_commit="$(git -C "$repo" log -1 --format='%H %cI' 2>/dev/null || echo unknown)"
server_commit="$(git -C "$project" log -1 --format='%H %cI' 2>/dev/null || echo unknown)"

summary="$workdir/summary.md"
{
  echo "# samples-typescript against bin/temporal-dev-server"
  echo
  echo "- run: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- samples: $samples_commit"
  echo "- server: $server_commit"
  echo "- node: $(node --version)"
  echo
  echo "| sample | command | passed | failed | tries | failing tests |"
  echo "| --- | --- | --- | --- | --- | --- |"
} > "$summary"

# Adds the preload to a test command: mocha's --require, jest's --setupFiles.
preload_args() {
  case "$1" in
    *jest*) echo "--setupFiles $preload" ;;
    *) echo "--require $preload" ;;
  esac
}

# Passed / failed counts and failing titles from a mocha (spec reporter) or jest log.
counts() {
  local log="$1" passed failed titles
  if grep -qE '^Tests: ' "$log"; then
    passed="$(grep -E '^Tests: ' "$log" | tail -1 | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')"
    failed="$(grep -E '^Tests: ' "$log" | tail -1 | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')"
    titles="$(grep -E '^\s+✕ ' "$log" | sed -E 's/^\s+✕ //; s/ \([0-9]+ ms\)$//' | paste -sd ';' -)"
  else
    passed="$(grep -E '^\s+[0-9]+ passing' "$log" | tail -1 | grep -oE '[0-9]+' | head -1)"
    failed="$(grep -E '^\s+[0-9]+ failing' "$log" | tail -1 | grep -oE '[0-9]+' | head -1)"
    # mocha prints "  N) suite" then "       title:" for each failure after the summary
    titles="$(awk '/^ +[0-9]+ failing/{f=1; next}
      f && /^  [0-9]+\) /{s=$0; sub(/^  [0-9]+\) /,"",s)
        while ((getline line) > 0) { gsub(/^ +/,"",line); if (line ~ /:$/) { sub(/:$/,"",line); s = s " › " line; break }; s = s " › " line }
        print s}' "$log" | paste -sd ';' -)"
  fi
  echo "${passed:-0}|${failed:-0}|${titles}"
}

run_command() { # sample dir script log
  local sample="$1" dir="$2" script="$3" log="$4" cmd try=1
  cmd="$(node -e 'const s=require(process.argv[1]).scripts||{}; console.log(s[process.argv[2]]||"")' "$dir/package.json" "$script")"
  [ -n "$cmd" ] || return 0
  while :; do
    echo "== $sample: npm run $script ($cmd) try $try $(date -u +%T)"
    # shellcheck disable=SC2046
    (cd "$dir" && TEMPORAL_SERVER_TRACE="${TRACE:-}" timeout --kill-after=30 "$TIMEOUT" \
      nice -n "$NICE" npm run --silent "$script" -- $(preload_args "$cmd")) > "$log" 2>&1
    echo "   exit $? $(date -u +%T)"
    # Our server is a Node program: on a loaded machine it can miss the SDK's fixed 5 s start.
    if grep -q 'did not start within' "$log" && [ "$try" -lt "$TRIES" ]; then
      try=$((try + 1))
      continue
    fi
    break
  done
  IFS='|' read -r passed failed titles <<< "$(counts "$log")"
  echo "| $sample | \`$cmd\` | $passed | $failed | $try | ${titles//|/\\|} |" >> "$summary"
  echo "   passed $passed failed $failed"
}

for sample in "${SAMPLES[@]}"; do
  dir="$repo/$sample"
  [ -f "$dir/package.json" ] || { echo "no $dir/package.json" >&2; continue; }
  name="${sample//\//_}"
  if [ ! -d "$dir/node_modules" ]; then
    echo "== $sample: npm install $(date -u +%T)"
    (cd "$dir" && nice -n "$NICE" npm install --no-audit --no-fund) > "$workdir/logs/$name.install.log" 2>&1 \
      || { echo "| $sample | npm install failed | 0 | 0 | 0 | see logs/$name.install.log |" >> "$summary"; continue; }
  fi
  # A test command that runs compiled files (mutex: mocha ./lib/test/*.test.js) needs the build first.
  if node -e 'process.exit(/\blib\//.test((require(process.argv[1]).scripts||{}).test||"")?0:1)' "$dir/package.json"; then
    echo "== $sample: npm run build $(date -u +%T)"
    (cd "$dir" && nice -n "$NICE" npm run build) > "$workdir/logs/$name.build.log" 2>&1
  fi
  run_command "$sample" "$dir" test "$workdir/logs/$name.log"
  # activities-examples also has a jest suite of its own beside the mocha one.
  if [ "$sample" = activities-examples ]; then
    run_command "$sample (jest)" "$dir" jest "$workdir/logs/$name.jest.log"
  fi
done

echo
cat "$summary"
