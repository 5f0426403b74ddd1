#!/usr/bin/env bash
# Runs the Nexus samples of temporalio/samples-typescript that have no tests (nexus-hello,
# nexus-cancellation, nexus-messaging's two patterns) the way their READMEs say, against our server:
# `bin/temporal-dev-server server start-dev` on port 7233 with the sample's two namespaces, the
# endpoint created through OperatorService (the README's `temporal operator nexus endpoint create`),
# the handler and caller workers, then the starter; the starter's output goes to WORKDIR/LOG.log.
#
#   scripts/temporal-samples/nexus.sh SAMPLES_CLONE [WORKDIR]
#
# The samples' sources are copied to WORKDIR/s and run with this repository's node_modules (the same
# @temporalio 1.24 the samples' ^1.21 resolves to) through tsx instead of ts-node (not installed
# here); @temporalio/envconfig, which we lack, is installed into WORKDIR/envdeps. Port 7233 must be free.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(cd "$here/../.." && pwd)"
clone="$1"
work="${2:-/tmp/nexus-samples}"
mkdir -p "$work/s" "$work/envdeps"
ln -sfn "$project/node_modules" "$work/s/node_modules"
if [ ! -d "$work/envdeps/node_modules/@temporalio/envconfig" ]; then
  (cd "$work/envdeps" && echo '{"name":"envdeps","private":true}' > package.json && npm install --no-audit --no-fund @temporalio/envconfig@1.24.0 >/dev/null)
fi
tsx="$project/node_modules/.bin/tsx"
export NODE_PATH="$work/envdeps/node_modules" TEMPORAL_ADDRESS=localhost:7233

create_endpoint() {
  node -e "
    const { Connection } = require('$project/node_modules/@temporalio/client');
    (async () => {
      const connection = await Connection.connect({ address: 'localhost:7233' });
      const { endpoint } = await connection.operatorService.createNexusEndpoint({ spec: { name: '$1', target: { worker: { namespace: '$2', taskQueue: '$3' } } } });
      console.log('endpoint created', '$1', endpoint.id, 'version', String(endpoint.version));
      await connection.close();
    })().catch((e) => { console.error(e); process.exit(1); });"
}

# run SAMPLE DIR LOG CALLER_NAMESPACE TARGET_NAMESPACE ENDPOINT HANDLER_TASK_QUEUE
run() {
  local sample=$1 dir=$2 log="$work/$3.log" pids=()
  rm -rf "$work/s/$sample" && cp -r "$clone/$sample" "$work/s/$sample"
  cd "$work/s/$sample" || return
  : > "$log"
  nice -n 10 "$project/bin/temporal-dev-server" server start-dev --port 7233 --namespace "$4" --namespace "$5" >> "$log" 2>&1 &
  local server=$!
  for _ in $(seq 1 100); do grep -q listening "$log" && break; sleep 0.2; done
  create_endpoint "$6" "$5" "$7" >> "$log" 2>&1
  nice -n 10 "$tsx" "$dir/service/worker.ts" > "$work/$3.service.log" 2>&1 & pids+=($!)
  nice -n 10 "$tsx" "$dir/caller/worker.ts" > "$work/$3.caller.log" 2>&1 & pids+=($!)
  sleep 10 # the workers bundle their workflows
  echo "--- starter: $dir/starter.ts" >> "$log"
  timeout 120 nice -n 10 "$tsx" "$dir/starter.ts" >> "$log" 2>&1
  echo "starter exit $?" >> "$log"
  kill "${pids[@]}" 2>/dev/null; sleep 1; kill "$server"; wait
  echo "== $3: $(tail -2 "$log" | head -1)"
}

run nexus-hello src nexus-hello my-caller-namespace my-target-namespace my-nexus-endpoint-name my-handler-task-queue
run nexus-cancellation src nexus-cancellation my-caller-namespace my-target-namespace my-nexus-endpoint-name my-handler-task-queue
for pattern in callerpattern ondemandpattern; do
  run nexus-messaging "src/$pattern" "nexus-messaging-$pattern" nexus-messaging-caller-namespace nexus-messaging-handler-namespace nexus-messaging-nexus-endpoint nexus-messaging-handler-task-queue
done
