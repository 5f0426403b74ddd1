/**
 * Search attributes as Temporal's server has them (`common/searchattribute` in temporalio/temporal):
 * the system attributes every run has, the custom ones a namespace registers (`--search-attribute`,
 * OperatorService), the check of the payloads a start or an upsert carries against the registered
 * types, and the flat visibility row (`executions.visibility`, JSON) the list filter runs on.
 */
import { invalidArgument } from './errors';
import type { Pb } from './proto';
import type { ExecutionRecord } from './store';

/** The seven types, by the short name the payload metadata `type`, the CLI flag and the SDK use. */
/** In the order of `temporal.api.enums.v1.IndexedValueType` (1 = Text … 7 = KeywordList). */
export const TYPE_NAMES = ['Text', 'Keyword', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList'] as const;
export type SaType = (typeof TYPE_NAMES)[number];

const ENUM_OF: Record<SaType, string> = {
  Keyword: 'INDEXED_VALUE_TYPE_KEYWORD',
  Text: 'INDEXED_VALUE_TYPE_TEXT',
  Int: 'INDEXED_VALUE_TYPE_INT',
  Double: 'INDEXED_VALUE_TYPE_DOUBLE',
  Bool: 'INDEXED_VALUE_TYPE_BOOL',
  Datetime: 'INDEXED_VALUE_TYPE_DATETIME',
  KeywordList: 'INDEXED_VALUE_TYPE_KEYWORD_LIST',
};

/** `INDEXED_VALUE_TYPE_KEYWORD` → `Keyword`. */
export const enumName = (type: SaType): string => ENUM_OF[type];

/** A type as the API (`INDEXED_VALUE_TYPE_…`, its number) or the CLI (`Keyword`, any case) names it; undefined if none. */
export function parseType(given: unknown): SaType | undefined {
  if (typeof given === 'number') return TYPE_NAMES[given - 1];
  const text = String(given ?? '');
  return TYPE_NAMES.find((name) => ENUM_OF[name] === text || name.toLowerCase() === text.toLowerCase());
}

/** The attributes every run has (`sadefs.system`), with their types. */
export const SYSTEM_ATTRIBUTES: Record<string, SaType> = {
  WorkflowId: 'Keyword',
  RunId: 'Keyword',
  WorkflowType: 'Keyword',
  StartTime: 'Datetime',
  ExecutionTime: 'Datetime',
  CloseTime: 'Datetime',
  ExecutionStatus: 'Keyword',
  TaskQueue: 'Keyword',
  HistoryLength: 'Int',
  ExecutionDuration: 'Int',
  StateTransitionCount: 'Int',
  HistorySizeBytes: 'Int',
  ParentWorkflowId: 'Keyword',
  ParentRunId: 'Keyword',
  RootWorkflowId: 'Keyword',
  RootRunId: 'Keyword',
};

/**
 * Attributes the server itself sets on some runs (`sadefs.predefined`): a schedule's starts carry
 * `TemporalScheduledById` and `TemporalScheduledStartTime`. Valid without registration, like custom ones.
 */
export const PREDEFINED_ATTRIBUTES: Record<string, SaType> = {
  TemporalScheduledStartTime: 'Datetime',
  TemporalScheduledById: 'Keyword',
  TemporalSchedulePaused: 'Bool',
  TemporalChangeVersion: 'KeywordList',
  BuildIds: 'KeywordList',
  BinaryChecksums: 'KeywordList',
  BatcherUser: 'Keyword',
  BatcherNamespace: 'Keyword',
};

/** Names the server keeps for itself (`sadefs.IsReserved`): system, predefined, and anything starting with `Temporal`. */
const RESERVED = new Set(['NamespaceId', 'MemoEncoding', 'Memo', 'VisibilityTaskKey', 'BinaryChecksums', 'BuildIds', 'BatcherNamespace', 'BatcherUser']);

export function isReserved(name: string): boolean {
  return name in SYSTEM_ATTRIBUTES || RESERVED.has(name) || name.startsWith('Temporal');
}

/** `NAME=TYPE` as `--search-attribute` takes it. @throws Error naming what is wrong. */
export function parseSearchAttributeFlag(flag: string): [string, SaType] {
  const match = /^([^=]+)=(.+)$/.exec(flag);
  const type = match ? parseType(match[2].trim()) : undefined;
  if (!match || !type) throw new Error(`--search-attribute takes NAME=TYPE with TYPE one of ${TYPE_NAMES.join(', ')}; got "${flag}"`);
  return [match[1].trim(), type];
}

/** The registry an engine reads: a namespace's custom attributes and their types. */
export interface SearchAttributeRegistry {
  customSearchAttributes(namespace: string): Record<string, SaType>;
}

/** The payload's JSON value, or undefined when it is not JSON. */
function payloadJson(payload: Pb): unknown {
  const encoding = payload?.metadata?.encoding ? Buffer.from(payload.metadata.encoding).toString('utf8') : '';
  if (encoding === 'binary/null') return null;
  if (encoding !== 'json/plain') return undefined;
  try {
    return JSON.parse(Buffer.from(payload.data ?? []).toString('utf8'));
  } catch {
    return undefined;
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch of an RFC 3339 time, or undefined. */
export function parseDatetime(text: string): number | undefined {
  if (!RFC3339.test(text)) return undefined;
  const ms = Date.parse(text.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : undefined;
}

const valid: Record<SaType, (value: unknown) => boolean> = {
  Keyword: (value) => typeof value === 'string',
  Text: (value) => typeof value === 'string',
  Int: (value) => typeof value === 'number' && Number.isSafeInteger(value),
  Double: (value) => typeof value === 'number',
  Bool: (value) => typeof value === 'boolean',
  Datetime: (value) => typeof value === 'string' && parseDatetime(value) !== undefined,
  KeywordList: (value) => Array.isArray(value) && value.every((item) => typeof item === 'string'),
};

/**
 * The value a payload holds for an attribute of `type` (`sadefs.DecodeValue`): a one-element list
 * stands for its element (the SDK's untyped form), null or an empty list for "unset" (null).
 * Undefined when the payload does not hold a value of that type.
 */
export function decodeValue(payload: Pb, type: SaType): unknown {
  let value = payloadJson(payload);
  if (value === undefined) return undefined;
  if (value === null || (Array.isArray(value) && value.length === 0)) return null;
  if (type !== 'KeywordList' && Array.isArray(value)) {
    if (value.length !== 1) return undefined;
    value = value[0];
  }
  if (type === 'KeywordList' && typeof value === 'string') value = [value];
  return valid[type](value) ? value : undefined;
}

/** The same payload with the registered type in its metadata, as the real server shows it (`ApplyTypeMap`). */
function typed(payload: Pb, type: SaType): Pb {
  return { ...payload, metadata: { ...(payload.metadata ?? {}), type: Buffer.from(type) } };
}

/**
 * Checks search attributes given to a start, an upsert, a child or a continue-as-new against the
 * namespace's registered types (`searchattribute.Validator.Validate`), with the real server's
 * messages. Returns them typed, with `null` for those that unset an attribute.
 * @throws ServiceError INVALID_ARGUMENT
 */
export function validateSearchAttributes(registry: SearchAttributeRegistry, namespace: string, indexedFields: Record<string, Pb> | undefined): Record<string, Pb | null> {
  const out: Record<string, Pb | null> = {};
  const entries = Object.entries(indexedFields ?? {});
  if (entries.length === 0) return out;
  const custom = registry.customSearchAttributes(namespace);
  for (const [name, payload] of entries) {
    if (name in SYSTEM_ATTRIBUTES) throw invalidArgument(`${name} attribute can't be set in SearchAttributes`);
    const type = custom[name] ?? PREDEFINED_ATTRIBUTES[name];
    if (!type) throw invalidArgument(`search attribute ${name} is not defined`);
    const value = decodeValue(payload, type);
    if (value === undefined) {
      const shown = payloadJson(payload);
      throw invalidArgument(`invalid value for search attribute ${name} of type ${type}: ${shown === undefined ? 'value from <payload>' : JSON.stringify(shown)}`);
    }
    out[name] = value === null ? null : typed(payload, type);
  }
  return out;
}

/** Applies validated attributes to a run's: set, or removed when unset. */
export function mergeSearchAttributes(target: Record<string, Pb>, validated: Record<string, Pb | null>): void {
  for (const [name, payload] of Object.entries(validated)) {
    if (payload === null) delete target[name];
    else target[name] = payload;
  }
}

/** Typed payloads (as validated) by name, with null for those that unset their attribute. */
export function setOrUnset(indexedFields: Record<string, Pb> | undefined): Record<string, Pb | null> {
  const out: Record<string, Pb | null> = {};
  for (const [name, payload] of Object.entries(indexedFields ?? {})) {
    const type = parseType(payload?.metadata?.type ? Buffer.from(payload.metadata.type).toString('utf8') : '');
    const value = type ? decodeValue(payload, type) : payloadJson(payload);
    out[name] = value === null || (Array.isArray(value) && value.length === 0) ? null : payload;
  }
  return out;
}

/** The validated attributes as an event or a new run carries them (unset ones as the payload the worker sent). */
export function asIndexedFields(validated: Record<string, Pb | null>, given: Record<string, Pb> | undefined): Record<string, Pb> {
  return Object.fromEntries(Object.entries(validated).map(([name, payload]) => [name, payload ?? given![name]]));
}

const STATUS_SHORT: Record<string, string> = {
  WORKFLOW_EXECUTION_STATUS_RUNNING: 'Running',
  WORKFLOW_EXECUTION_STATUS_COMPLETED: 'Completed',
  WORKFLOW_EXECUTION_STATUS_FAILED: 'Failed',
  WORKFLOW_EXECUTION_STATUS_CANCELED: 'Canceled',
  WORKFLOW_EXECUTION_STATUS_TERMINATED: 'Terminated',
  WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW: 'ContinuedAsNew',
  WORKFLOW_EXECUTION_STATUS_TIMED_OUT: 'TimedOut',
};
/** `Running`, … in the enum's order (1-based numbers as the API gives them). */
export const STATUS_VALUES = Object.values(STATUS_SHORT);
export const statusShortName = (status: string): string => STATUS_SHORT[status] ?? status;

/**
 * The run's visibility row: every system attribute and each custom one by name, times in
 * milliseconds since the epoch, durations in nanoseconds (`ExecutionDuration`), lists as arrays.
 * Stored as SQLite JSONB; the list filter (`visibility.ts`) is translated to SQL over it.
 */
export function visibilityRow(exec: ExecutionRecord): string {
  const row: Record<string, unknown> = exec.standaloneActivity ? standaloneActivityRow(exec) : exec.standaloneNexus ? standaloneNexusRow(exec) : {
    WorkflowId: exec.workflowId,
    RunId: exec.runId,
    WorkflowType: exec.workflowType,
    StartTime: exec.startTime,
    ExecutionTime: exec.executionTime,
    CloseTime: exec.closeTime,
    ExecutionStatus: statusShortName(exec.status),
    TaskQueue: exec.taskQueue,
    HistoryLength: exec.nextEventId - 1,
    StateTransitionCount: exec.nextEventId - 1,
    HistorySizeBytes: exec.historySizeBytes,
    ExecutionDuration: executionDurationNs(exec, exec.executionTime),
    ParentWorkflowId: exec.parent?.workflowId,
    ParentRunId: exec.parent?.runId,
    RootWorkflowId: exec.workflowId,
    RootRunId: exec.runId,
  };
  for (const [name, payload] of Object.entries(exec.searchAttributes ?? {})) {
    if (name in row) continue;
    const typeName = payload?.metadata?.type ? Buffer.from(payload.metadata.type).toString('utf8') : '';
    const type = parseType(typeName);
    if (!type || name in SYSTEM_ATTRIBUTES) continue;
    const value = decodeValue(payload, type);
    if (value === undefined || value === null) continue;
    row[name] = type === 'Datetime' ? parseDatetime(value as string) : value;
  }
  return JSON.stringify(row);
}

/** `ExecutionDuration`: nanoseconds from `from` to the close (never negative); none while open. */
const executionDurationNs = (exec: ExecutionRecord, from: number): number | undefined => (exec.closeTime !== undefined ? Math.max(0, exec.closeTime - from) * 1_000_000 : undefined);

/**
 * A standalone activity's row (`standaloneActivities/`), with the attributes the real server gives
 * activities: `ActivityId`, `ActivityType`, `ExecutionStatus`, `TaskQueue`, `StartTime` (when it was
 * scheduled), `ExecutionTime` (after its start delay), `CloseTime`, `ExecutionDuration`, `RunId`
 * (the store keeps it out of the workflows' lists and counts by its key).
 */
function standaloneActivityRow(exec: ExecutionRecord): Record<string, unknown> {
  return {
    ActivityId: exec.standaloneActivity!.activityId,
    ActivityType: exec.workflowType,
    RunId: exec.runId,
    StartTime: exec.startTime,
    ExecutionTime: exec.standaloneActivity!.executionTime,
    CloseTime: exec.closeTime,
    ExecutionStatus: statusShortName(exec.status),
    TaskQueue: exec.taskQueue,
    ExecutionDuration: executionDurationNs(exec, exec.startTime),
  };
}

/**
 * A standalone Nexus operation's row (`nexus/standalone.ts`), with the attributes the real server
 * lists for operations: `OperationId`, `RunId`, `Endpoint`, `Service`, `Operation`, `RequestId`,
 * `StartTime` (scheduled), `ExecutionTime`, `CloseTime`, `ExecutionStatus`, `ExecutionDuration`,
 * `StateTransitionCount`.
 */
function standaloneNexusRow(exec: ExecutionRecord): Record<string, unknown> {
  const info = exec.standaloneNexus!;
  return {
    OperationId: info.operationId,
    RunId: exec.runId,
    Endpoint: info.endpoint,
    Service: info.service,
    Operation: info.operation,
    RequestId: info.requestId,
    StartTime: exec.startTime,
    ExecutionTime: exec.startTime,
    CloseTime: exec.closeTime,
    ExecutionStatus: statusShortName(exec.status),
    ExecutionDuration: executionDurationNs(exec, exec.startTime),
    StateTransitionCount: info.stateTransitionCount,
  };
}
