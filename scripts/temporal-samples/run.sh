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
# or whose before-all hook timed out; default 3), TIMEOUT (seconds per test command, default
# 1200), TRACE=1 (the server logs every call to the sample's log: TEMPORAL_SERVER_TRACE=1).
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

# Versions installed instead of what `npm install` would pick (still within the sample's range):
# - workflow-streams, langsmith: @temporalio/workflow-streams and @temporalio/langsmith, newest 1.23.0,
#   pin @temporalio/* 1.23.0 exactly; beside 1.24 there are two copies of client/worker and the tests
#   do not type-check (TS2345, TS2322): all at 1.23.0.
# - openai-agents: likewise, and the sample pins nexus-rpc ^0.0.2, which @temporalio/* 1.23 (^0.0.3)
#   disagree with (TS2322 in nexus-tools): all at 1.22.0, the newest with nexus-rpc ^0.0.2.
# - nexus-standalone-operations pins @temporalio/envconfig 1.21.0, which the registry does not have
#   (ETARGET); 1.22.0 is the next published.
declare -A PINS=(
  [workflow-streams]="@temporalio/activity@1.23.0 @temporalio/client@1.23.0 @temporalio/common@1.23.0 @temporalio/worker@1.23.0 @temporalio/workflow@1.23.0 @temporalio/testing@1.23.0"
  [langsmith]="@temporalio/activity@1.23.0 @temporalio/client@1.23.0 @temporalio/worker@1.23.0 @temporalio/workflow@1.23.0 @temporalio/testing@1.23.0"
  [openai-agents]="@temporalio/activity@1.22.0 @temporalio/client@1.22.0 @temporalio/nexus@1.22.0 @temporalio/openai-agents@1.22.0 @temporalio/worker@1.22.0 @temporalio/workflow@1.22.0 @temporalio/testing@1.22.0"
  [nexus-standalone-operations]="@temporalio/envconfig@1.22.0"
)

if [ $# -lt 1 ]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
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
    # Its own process group (setsid), so that it can be ended whole.
    # shellcheck disable=SC2046
    (cd "$dir" && TEMPORAL_SERVER_TRACE="${TRACE:-}" exec setsid timeout --kill-after=30 "$TIMEOUT" \
      nice -n "$NICE" npm run --silent "$script" -- $(preload_args "$cmd")) > "$log" 2>&1 &
    local pid=$! waited=0
    # jest has printed its results but stays up on a worker that a timed-out test left running:
    # the results are in, so end it after 30 s instead of waiting for TIMEOUT.
    while kill -0 "$pid" 2>/dev/null; do
      if grep -q 'Jest did not exit one second after the test run has completed' "$log" 2>/dev/null; then
        waited=$((waited + 5))
        [ "$waited" -ge 30 ] && kill -TERM -- "-$pid" 2>/dev/null
      fi
      sleep 5
    done
    wait "$pid"
    echo "   exit $? $(date -u +%T)"
    # On a loaded machine our server (a Node program) can miss the SDK's fixed 5 s start, and a
    # mocha "before all" (jest beforeAll) hook that starts it and bundles the workflows its time limit:
    # neither is the server's answer to a call, so the sample is run again.
    if { grep -q 'did not start within' "$log" || grep -q 'Exceeded timeout of [0-9]* ms for a hook' "$log" \
      || { grep -q '"before all" hook' "$log" && grep -q 'Timeout of [0-9]*ms exceeded' "$log"; }; } \
      && [ "$try" -lt "$TRIES" ]; then
      mv "$log" "$log.try$try"
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
  pins="${PINS[$sample]:-}"
  if [ ! -d "$dir/node_modules" ] || [ "$(cat "$dir/node_modules/.temporal-samples-pins" 2>/dev/null)" != "$pins" ]; then
    echo "== $sample: npm install $pins $(date -u +%T)"
    # shellcheck disable=SC2086
    (cd "$dir" && nice -n "$NICE" npm install --no-save --no-audit --no-fund $pins) > "$workdir/logs/$name.install.log" 2>&1 \
      || { echo "| $sample | npm install failed | 0 | 0 | 0 | see logs/$name.install.log |" >> "$summary"; continue; }
    echo "$pins" > "$dir/node_modules/.temporal-samples-pins"
  fi
  # The samples' pnpm-lock.yaml pins @tsconfig/node22 22.0.5; 22.0.6, which `^22.0.0` now gives,
  # sets `types: ["node"]`, so jest's globals (describe, expect) no longer type-check under ts-jest.
  # Install the locked version, as the samples' own CI has it.
  locked="$(grep -oE "^  '@tsconfig/node22@[0-9.]+'" "$repo/pnpm-lock.yaml" 2>/dev/null | head -1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+')"
  have="$(node -p 'require(process.argv[1]).version' "$dir/node_modules/@tsconfig/node22/package.json" 2>/dev/null)"
  if [ -n "$locked" ] && [ -n "$have" ] && [ "$have" != "$locked" ]; then
    echo "== $sample: @tsconfig/node22 $have -> $locked (the samples' lock file)"
    (cd "$dir" && nice -n "$NICE" npm install --no-save --no-audit --no-fund "@tsconfig/node22@$locked") >> "$workdir/logs/$name.install.log" 2>&1
  fi
  # A test command that runs compiled files (mutex: mocha ./lib/test/*.test.js) needs the build first.
  if node -e 'process.exit(/\blib\//.test((require(process.argv[1]).scripts||{}).test||"")?0:1)' "$dir/package.json"; then
    echo "== $sample: npm run build $(date -u +%T)"
    (cd "$dir" && nice -n "$NICE" npm run build) > "$workdir/logs/$name.build.log" 2>&1
  fi
  # Only the sample's test command: activities-examples' extra `npm run jest` suite does not compile
  # in the sample itself without our preload too (TS2304: cannot find name 'jest', 'beforeAll').
  run_command "$sample" "$dir" test "$workdir/logs/$name.log"
done

echo
cat "$summary"
