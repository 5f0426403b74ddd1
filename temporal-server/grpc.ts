/**
 * The gRPC layer (the frontend): binds WorkflowService, OperatorService and TestService methods to
 * their handlers (`handlers/`, one file per RPC),
 * turns thrown {@link ServiceError}s into gRPC statuses, and answers every method we do not
 * implement with UNIMPLEMENTED.
 */
import * as grpc from '@grpc/grpc-js';
import type { Engine } from './engine';
import { ServiceError, unimplemented } from './errors';
import { activityTokenById } from './handlers/activityTaskById';
import { count } from './handlers/countWorkflowExecutions';
import { describe } from './handlers/describeWorkflowExecution';
import { executeMultiOperation } from './handlers/executeMultiOperation';
import { getHistory } from './handlers/getWorkflowExecutionHistory';
import { list } from './handlers/listWorkflowExecutions';
import { pollActivityTask } from './handlers/pollActivityTaskQueue';
import { pollUpdate } from './handlers/pollWorkflowExecutionUpdate';
import { pollWorkflowTask } from './handlers/pollWorkflowTaskQueue';
import { query } from './handlers/queryWorkflow';
import { heartbeat } from './handlers/recordActivityTaskHeartbeat';
import { requestCancel } from './handlers/requestCancelWorkflowExecution';
import { cancelActivityRequest } from './handlers/respondActivityTaskCanceled';
import { completeActivity } from './handlers/respondActivityTaskCompleted';
import { failActivity } from './handlers/respondActivityTaskFailed';
import { pauseActivity } from './handlers/pauseActivity';
import { resetActivity } from './handlers/resetActivity';
import { unpauseActivity } from './handlers/unpauseActivity';
import { updateActivityOptions } from './handlers/updateActivityOptions';
import { respondQueryTask } from './handlers/respondQueryTaskCompleted';
import { completeWorkflowTask } from './handlers/respondWorkflowTaskCompleted';
import { failWorkflowTaskRequest } from './handlers/respondWorkflowTaskFailed';
import { addSearchAttributes, getSearchAttributes, listSearchAttributes, removeSearchAttributes } from './handlers/searchAttributes';
import { shutdownWorker } from './handlers/shutdownWorker';
import { signalWithStart } from './handlers/signalWithStartWorkflowExecution';
import { signal } from './handlers/signalWorkflowExecution';
import { startWorkflow } from './handlers/startWorkflowExecution';
import { terminateRequest } from './handlers/terminateWorkflowExecution';
import { update } from './handlers/updateWorkflowExecution';
import { scheduleHandlers } from './schedules/handlers';
import { standaloneActivityHandlers } from './standaloneActivities/handlers';
import { nexusOperatorServiceHandlers, nexusWorkflowServiceHandlers, standaloneNexusHandlers } from './nexus/handlers';
import { duration, encodeStatusDetails, serviceDefinition, timestamp, toMs, type Pb } from './proto';

type Handler = (request: Pb, call: grpc.ServerUnaryCall<Pb, Pb>) => Pb | Promise<Pb>;

const SERVER_VERSION = '1.24.0-embedded';

/** TEMPORAL_SERVER_TRACE=1 logs every call and answer to stderr, for debugging the protocol. */
const TRACE = process.env.TEMPORAL_SERVER_TRACE === '1';

function traceReplacer(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') return '<bytes>';
  return value;
}

function deadlineOf(call: grpc.ServerUnaryCall<Pb, Pb>): number {
  const deadline = call.getDeadline();
  if (deadline instanceof Date) return deadline.getTime();
  if (typeof deadline === 'number' && Number.isFinite(deadline)) return deadline;
  return Date.now() + 70_000;
}

function workflowServiceHandlers(engine: Engine): Record<string, Handler> {
  const namespaceInfo = (name: string) => ({
    namespaceInfo: { name, state: 'NAMESPACE_STATE_REGISTERED', description: '', ownerEmail: '', id: name, data: {}, supportsSchedules: true },
    config: { workflowExecutionRetentionTtl: duration(24 * 3600 * 1000), historyArchivalState: 'ARCHIVAL_STATE_DISABLED', visibilityArchivalState: 'ARCHIVAL_STATE_DISABLED' },
    replicationConfig: { activeClusterName: 'active', clusters: [{ clusterName: 'active' }], state: 'REPLICATION_STATE_NORMAL' },
    failoverVersion: 0,
    isGlobalNamespace: false,
  });
  return {
    GetSystemInfo: () => ({
      serverVersion: SERVER_VERSION,
      capabilities: {
        signalAndQueryHeader: true,
        internalErrorDifferentiation: true,
        activityFailureIncludeHeartbeat: true,
        supportsSchedules: true,
        encodedFailureAttributes: true,
        buildIdBasedVersioning: false,
        upsertMemo: true,
        eagerWorkflowStart: true,
        sdkMetadata: true,
        countGroupByExecutionStatus: true,
        nexus: true,
      },
    }),
    GetClusterInfo: () => ({
      supportedClients: {},
      serverVersion: SERVER_VERSION,
      clusterId: 'embedded',
      clusterName: 'active',
      historyShardCount: 1,
      persistenceStore: engine.persistence,
      visibilityStore: engine.persistence,
    }),
    DescribeNamespace: (request) => {
      const name = engine.requireNamespace(request.namespace || request.id);
      return namespaceInfo(name);
    },
    ListNamespaces: () => ({ namespaces: engine.store.namespaces().map(namespaceInfo), nextPageToken: Buffer.alloc(0) }),
    RegisterNamespace: (request) => {
      if (engine.store.namespaces().includes(request.namespace)) throw new ServiceError(grpc.status.ALREADY_EXISTS, `Namespace ${request.namespace} already exists.`);
      engine.store.addNamespace(request.namespace);
      return {};
    },
    ...scheduleHandlers(engine),
    ...standaloneActivityHandlers(engine, deadlineOf),
    StartWorkflowExecution: (request) => startWorkflow(engine, request),
    SignalWithStartWorkflowExecution: (request) => {
      const { runId, started } = signalWithStart(engine, request);
      return { runId, started };
    },
    SignalWorkflowExecution: (request) => signal(engine, request),
    QueryWorkflow: (request) => query(engine, request),
    UpdateWorkflowExecution: (request, call) => update(engine, request, deadlineOf(call)),
    ExecuteMultiOperation: (request, call) => executeMultiOperation(engine, request, deadlineOf(call)),
    PollWorkflowExecutionUpdate: (request, call) => pollUpdate(engine, request, deadlineOf(call)),
    RequestCancelWorkflowExecution: (request) => requestCancel(engine, request),
    TerminateWorkflowExecution: (request) => terminateRequest(engine, request),
    DescribeWorkflowExecution: (request) => describe(engine, request),
    GetWorkflowExecutionHistory: (request, call) => getHistory(engine, request, deadlineOf(call)),
    ListWorkflowExecutions: (request) => list(engine, request),
    ScanWorkflowExecutions: (request) => list(engine, request),
    ListOpenWorkflowExecutions: unsupportedList('ListOpenWorkflowExecutions'),
    CountWorkflowExecutions: (request) => count(engine, request),
    GetSearchAttributes: () => getSearchAttributes(engine),
    PollWorkflowTaskQueue: (request, call) => pollWorkflowTask(engine, request, () => call.cancelled),
    RespondWorkflowTaskCompleted: (request) => completeWorkflowTask(engine, request),
    RespondWorkflowTaskFailed: (request) => failWorkflowTaskRequest(engine, request),
    RespondQueryTaskCompleted: (request) => respondQueryTask(engine, request),
    PollActivityTaskQueue: (request, call) => pollActivityTask(engine, request, () => call.cancelled),
    RecordActivityTaskHeartbeat: (request) => heartbeat(engine, request),
    RecordActivityTaskHeartbeatById: (request) => heartbeat(engine, { ...request, taskToken: activityTokenById(engine, request) }),
    RespondActivityTaskCompleted: (request) => completeActivity(engine, request),
    RespondActivityTaskCompletedById: (request) => completeActivity(engine, { ...request, taskToken: activityTokenById(engine, request) }),
    RespondActivityTaskFailed: (request) => failActivity(engine, request),
    RespondActivityTaskFailedById: (request) => failActivity(engine, { ...request, taskToken: activityTokenById(engine, request) }),
    RespondActivityTaskCanceled: (request) => cancelActivityRequest(engine, request),
    RespondActivityTaskCanceledById: (request) => cancelActivityRequest(engine, { ...request, taskToken: activityTokenById(engine, request) }),
    PauseActivity: (request) => pauseActivity(engine, request),
    UnpauseActivity: (request) => unpauseActivity(engine, request),
    ResetActivity: (request) => resetActivity(engine, request),
    UpdateActivityOptions: (request) => updateActivityOptions(engine, request),
    ShutdownWorker: (request) => shutdownWorker(engine, request),
    ...nexusWorkflowServiceHandlers(engine),
    ...standaloneNexusHandlers(engine, deadlineOf),
    DescribeTaskQueue: (request) => {
      engine.requireNamespace(request.namespace);
      return { pollers: [] };
    },
  };
}

function unsupportedList(method: string): Handler {
  return () => {
    throw unimplemented(`${method} (use ListWorkflowExecutions)`);
  };
}

function testServiceHandlers(engine: Engine): Record<string, Handler> {
  const clock = engine.clock;
  const sleepUntil = (at: number) => new Promise<void>((resolve) => clock.schedule(at, resolve));
  return {
    LockTimeSkipping: () => {
      clock.lock();
      return {};
    },
    UnlockTimeSkipping: () => {
      try {
        clock.unlock();
      } catch (error) {
        throw new ServiceError(grpc.status.FAILED_PRECONDITION, (error as Error).message);
      }
      return {};
    },
    Sleep: async (request) => {
      await sleepUntil(clock.now() + toMs(request.duration));
      return {};
    },
    SleepUntil: async (request) => {
      await sleepUntil(toMs(request.timestamp));
      return {};
    },
    UnlockTimeSkippingWithSleep: async (request) => {
      const at = clock.now() + toMs(request.duration);
      try {
        clock.unlock();
      } catch (error) {
        throw new ServiceError(grpc.status.FAILED_PRECONDITION, (error as Error).message);
      }
      await new Promise<void>((resolve) =>
        clock.schedule(at, () => {
          // Re-lock in the same turn the sleep ends, before anything else can skip time.
          clock.lock();
          resolve();
        }),
      );
      return {};
    },
    GetCurrentTime: () => ({ time: timestamp(clock.now()) }),
  };
}

function bind(engine: Engine, service: grpc.ServiceDefinition, handlers: Record<string, Handler>, serviceName: string): grpc.UntypedServiceImplementation {
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const [name, definition] of Object.entries(service)) {
    const handler = handlers[name] ?? handlers[definition.originalName ?? ''];
    const method = `${serviceName}.${name}`;
    implementation[name] = (call: grpc.ServerUnaryCall<Pb, Pb>, callback: grpc.sendUnaryData<Pb>) => {
      if (!handler) {
        reply(callback, unimplemented(method));
        return;
      }
      if (TRACE) console.error(`[temporal-server] ${method}`, JSON.stringify(call.request, traceReplacer).slice(0, 600));
      let result: Pb | Promise<Pb>;
      try {
        // One unit of work per call: what it changed is committed before the answer is sent.
        result = engine.transact(() => handler(call.request, call));
      } catch (error) {
        reply(callback, error);
        return;
      }
      Promise.resolve(result).then(
        (value) => {
          if (TRACE) console.error(`[temporal-server] ${method} ->`, JSON.stringify(value, traceReplacer).slice(0, 1500));
          callback(null, value ?? {});
        },
        (error: unknown) => reply(callback, error),
      );
    };
  }
  return implementation;
}

function reply(callback: grpc.sendUnaryData<Pb>, error: unknown): void {
  if (error instanceof ServiceError) {
    const metadata = new grpc.Metadata();
    if (error.detail) metadata.set('grpc-status-details-bin', encodeStatusDetails(error.code, error.message, error.detail.type, error.detail.value));
    callback({ code: error.code, details: error.message, metadata }, null);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  console.error('[temporal-server] internal error:', error);
  callback({ code: grpc.status.INTERNAL, details: `internal error in the embedded Temporal server: ${message}` }, null);
}

/** Registers the three services on `server`; method names follow the `.proto` files. */
export function addServices(server: grpc.Server, engine: Engine): void {
  const workflowService = serviceDefinition('temporal.api.workflowservice.v1.WorkflowService');
  const operatorService = serviceDefinition('temporal.api.operatorservice.v1.OperatorService');
  const testService = serviceDefinition('temporal.api.testservice.v1.TestService');
  server.addService(workflowService, bind(engine, workflowService, workflowServiceHandlers(engine), 'WorkflowService'));
  server.addService(operatorService, bind(engine, operatorService, operatorServiceHandlers(engine), 'OperatorService'));
  server.addService(testService, bind(engine, testService, testServiceHandlers(engine), 'TestService'));
}

function operatorServiceHandlers(engine: Engine): Record<string, Handler> {
  return {
    AddSearchAttributes: (request) => addSearchAttributes(engine, request),
    ListSearchAttributes: (request) => listSearchAttributes(engine, request),
    RemoveSearchAttributes: (request) => removeSearchAttributes(engine, request),
    ...nexusOperatorServiceHandlers(engine),
  };
}
