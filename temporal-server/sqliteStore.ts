/**
 * The engine's store on SQLite: a file with `--db-filename` (durable across any crash), or
 * `:memory:` without it. Both modes run the same code, so the conformance suite proves both.
 *
 * Every change happens inside a unit of work ({@link SqliteStore.transact}): within a unit a run is
 * loaded once and the engine mutates that copy; at the end of the outermost unit every changed run,
 * every new event and the engine's counters are written in one SQLite transaction, before the
 * caller answers anyone. Outside a unit the store hands out fresh copies, so nothing can depend on
 * a live object. Only a bounded cache of encoded runs stays in memory; the rest is in the file.
 */
import { deserialize, serialize } from 'node:v8';
import Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import { parseType, visibilityRow, type SaType } from './searchAttributes';
import { ACTIVITY_KEY_END, ACTIVITY_KEY_PREFIX, NEXUS_KEY_END, NEXUS_KEY_PREFIX, type ExecutionRecord, type HistoryEvent, type SqlFragment, type Store, type VisibilityQuery } from './store';
import { textMatch } from './visibility';
import type { ScheduleRecord } from './schedules/scheduler';
import type { NexusEndpointRecord } from './nexus/endpoints';

export interface SqliteStoreOptions {
  /** A file path, or `:memory:` (the default). */
  filename?: string;
  /**
   * `NORMAL` (default): a committed transaction survives the death of the process at any instant
   * (it is in the WAL before `commit` returns); only a power cut may lose the last few.
   * `FULL` also survives a power cut, at about a fifth of the commit rate (see the benchmark).
   */
  synchronous?: 'NORMAL' | 'FULL';
  /** Encoded runs kept in memory (default 2,000). */
  cacheSize?: number;
}

interface Unit {
  depth: number;
  /** Runs handed out in this unit, by `namespace/runId`: one object per run for the whole unit. */
  loaded: Map<string, ExecutionRecord>;
  /** Runs first stored in this unit; they become their workflow id's current run. */
  created: Set<string>;
  events: Map<string, HistoryEvent[]>;
  namespaces: Set<string>;
  meta: Map<string, number>;
  /** Schedules read or written in this unit, by `namespace/scheduleId`; null: deleted. */
  schedules: Map<string, ScheduleRecord | null>;
  /** Runs deleted in this unit (`namespace`, `workflowId`, `runId`). */
  deleted: Array<{ namespace: string; workflowId: string; runId: string }>;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS namespaces (name TEXT PRIMARY KEY);
  CREATE TABLE IF NOT EXISTS executions (
    namespace TEXT NOT NULL,
    run_id TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    workflow_type TEXT NOT NULL,
    status TEXT NOT NULL,
    start_time INTEGER NOT NULL,
    record BLOB NOT NULL,
    PRIMARY KEY (namespace, run_id)
  );
  CREATE INDEX IF NOT EXISTS executions_by_start ON executions (namespace, start_time DESC);
  CREATE INDEX IF NOT EXISTS executions_running ON executions (status) WHERE status = 'WORKFLOW_EXECUTION_STATUS_RUNNING';
  -- Workflow runs and standalone activities are told apart by the key (ACTIVITY_KEY_PREFIX): a count stays on an index.
  CREATE INDEX IF NOT EXISTS executions_by_key ON executions (namespace, workflow_id);
  CREATE TABLE IF NOT EXISTS current_runs (
    namespace TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    PRIMARY KEY (namespace, workflow_id)
  ) WITHOUT ROWID;
  -- The events one unit appended to a run, as one temporal.api.history.v1.History message.
  CREATE TABLE IF NOT EXISTS history (
    run_id TEXT NOT NULL,
    first_event_id INTEGER NOT NULL,
    last_event_id INTEGER NOT NULL,
    events BLOB NOT NULL,
    PRIMARY KEY (run_id, first_event_id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS schedules (
    namespace TEXT NOT NULL,
    schedule_id TEXT NOT NULL,
    record BLOB NOT NULL,
    PRIMARY KEY (namespace, schedule_id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
  -- Custom search attributes each namespace registered (--search-attribute, OperatorService).
  CREATE TABLE IF NOT EXISTS search_attributes (
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    PRIMARY KEY (namespace, name)
  ) WITHOUT ROWID;
  -- Nexus endpoints (OperatorService), by id; the record is v8-serialised (nexus/endpoints.ts).
  CREATE TABLE IF NOT EXISTS nexus_endpoints (id TEXT PRIMARY KEY, record BLOB NOT NULL) WITHOUT ROWID;
`;

const key = (namespace: string, runId: string) => `${namespace}/${runId}`;
/** Namespaces have no `/`; schedule ids may. */
const splitKey = (compound: string): [string, string] => {
  const slash = compound.indexOf('/');
  return [compound.slice(0, slash), compound.slice(slash + 1)];
};

type HistoryMessage = typeof import('@temporalio/proto').temporal.api.history.v1.History;
let historyMessage: HistoryMessage | undefined;

/** Loaded at first use, not at start: the whole API's messages take a while to load. */
function History(): HistoryMessage {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  historyMessage ??= (require('@temporalio/proto') as typeof import('@temporalio/proto')).temporal.api.history.v1.History;
  return historyMessage;
}

/** Events in Temporal's own wire form: typed by the API's messages, and about a fifth of a generic encoding. */
function encodeEvents(events: HistoryEvent[]): Uint8Array {
  return History().encode(History().fromObject({ events })).finish();
}

/** Back to the shape the engine and gRPC layer use (camelCase, enum names, numbers, Buffers). */
function decodeEvents(bytes: Uint8Array): HistoryEvent[] {
  return History().toObject(History().decode(bytes), { longs: Number, enums: String, bytes: Buffer as never, defaults: false, arrays: true, objects: true, oneofs: true }).events as HistoryEvent[];
}

export class SqliteStore implements Store {
  readonly filename: string;
  readonly persistent: boolean;
  private readonly db: Database.Database;
  private readonly cache: LRUCache<string, Buffer>;
  private unit: Unit | undefined;
  private readonly searchAttributeCache = new Map<string, Record<string, SaType>>();
  private readonly statements;

  constructor(options: SqliteStoreOptions = {}) {
    this.filename = options.filename ?? ':memory:';
    this.persistent = this.filename !== ':memory:';
    this.db = new Database(this.filename);
    if (this.persistent) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    }
    this.db.exec(SCHEMA);
    this.db.function('sa_text_match', { deterministic: true }, (text: unknown, tokens: unknown) => textMatch(text, String(tokens)));
    this.migrateVisibility();
    this.cache = new LRUCache({ max: options.cacheSize ?? 2_000 });
    const db = this.db;
    this.statements = {
      namespaces: db.prepare<[], { name: string }>('SELECT name FROM namespaces ORDER BY rowid'),
      addNamespace: db.prepare<[string]>('INSERT OR IGNORE INTO namespaces (name) VALUES (?)'),
      execution: db.prepare<[string, string], { record: Buffer }>('SELECT record FROM executions WHERE namespace = ? AND run_id = ?'),
      currentRun: db.prepare<[string, string], { run_id: string }>('SELECT run_id FROM current_runs WHERE namespace = ? AND workflow_id = ?'),
      putExecution: db.prepare(
        `INSERT INTO executions (namespace, run_id, workflow_id, workflow_type, status, start_time, record, visibility)
         VALUES (@namespace, @runId, @workflowId, @workflowType, @status, @startTime, @record, jsonb(@visibility))
         ON CONFLICT (namespace, run_id) DO UPDATE SET status = excluded.status, record = excluded.record, visibility = excluded.visibility`,
      ),
      deleteExecution: db.prepare<[string, string]>('DELETE FROM executions WHERE namespace = ? AND run_id = ?'),
      deleteCurrentRun: db.prepare<[string, string, string]>('DELETE FROM current_runs WHERE namespace = ? AND workflow_id = ? AND run_id = ?'),
      deleteHistory: db.prepare<[string]>('DELETE FROM history WHERE run_id = ?'),
      setCurrentRun: db.prepare<[string, string, string]>('INSERT OR REPLACE INTO current_runs (namespace, workflow_id, run_id) VALUES (?, ?, ?)'),
      appendEvents: db.prepare<[string, number, number, Uint8Array]>('INSERT INTO history (run_id, first_event_id, last_event_id, events) VALUES (?, ?, ?, ?)'),
      readEvents: db.prepare<[string, number], { events: Buffer }>('SELECT events FROM history WHERE run_id = ? AND last_event_id >= ? ORDER BY first_event_id'),
      running: db.prepare<[], { namespace: string; run_id: string }>(
        "SELECT namespace, run_id FROM executions WHERE status = 'WORKFLOW_EXECUTION_STATUS_RUNNING'",
      ),
      searchAttributes: db.prepare<[string], { name: string; type: string }>('SELECT name, type FROM search_attributes WHERE namespace = ? ORDER BY name'),
      addSearchAttribute: db.prepare<[string, string, string]>('INSERT OR REPLACE INTO search_attributes (namespace, name, type) VALUES (?, ?, ?)'),
      removeSearchAttribute: db.prepare<[string, string]>('DELETE FROM search_attributes WHERE namespace = ? AND name = ?'),
      nexusEndpoints: db.prepare<[], { record: Buffer }>('SELECT record FROM nexus_endpoints ORDER BY id'),
      putNexusEndpoint: db.prepare<[string, Buffer]>('INSERT OR REPLACE INTO nexus_endpoints (id, record) VALUES (?, ?)'),
      deleteNexusEndpoint: db.prepare<[string]>('DELETE FROM nexus_endpoints WHERE id = ?'),
      getMeta: db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare<[string, number]>('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      schedule: db.prepare<[string, string], { record: Buffer }>('SELECT record FROM schedules WHERE namespace = ? AND schedule_id = ?'),
      schedules: db.prepare<[], { record: Buffer }>('SELECT record FROM schedules ORDER BY namespace, schedule_id'),
      putSchedule: db.prepare<[string, string, Buffer]>('INSERT OR REPLACE INTO schedules (namespace, schedule_id, record) VALUES (?, ?, ?)'),
      deleteSchedule: db.prepare<[string, string]>('DELETE FROM schedules WHERE namespace = ? AND schedule_id = ?'),
    };
  }

  transact<T>(fn: () => T): T {
    if (this.unit) {
      this.unit.depth++;
      try {
        return fn();
      } finally {
        this.unit.depth--;
      }
    }
    const unit: Unit = { depth: 1, loaded: new Map(), created: new Set(), events: new Map(), namespaces: new Set(), meta: new Map(), schedules: new Map(), deleted: [] };
    this.unit = unit;
    let result: T;
    try {
      result = fn();
    } catch (error) {
      // Nothing of a failed unit is written: the runs it loaded are forgotten with it.
      this.unit = undefined;
      throw error;
    }
    this.unit = undefined;
    this.commit(unit);
    return result;
  }

  private commit(unit: Unit): void {
    const runs: Array<{ record: ExecutionRecord; encoded: Buffer }> = [];
    for (const [runKey, record] of unit.loaded) {
      const encoded = serialize(record);
      const before = this.cache.get(runKey);
      if (unit.created.has(runKey) || !before || !before.equals(encoded)) runs.push({ record, encoded });
    }
    if (runs.length === 0 && unit.events.size === 0 && unit.namespaces.size === 0 && unit.meta.size === 0 && unit.schedules.size === 0 && unit.deleted.length === 0) return;
    const s = this.statements;
    this.db.transaction(() => {
      for (const name of unit.namespaces) s.addNamespace.run(name);
      for (const { record, encoded } of runs) {
        s.putExecution.run({ ...record, record: encoded, visibility: visibilityRow(record) });
        if (unit.created.has(key(record.namespace, record.runId))) s.setCurrentRun.run(record.namespace, record.workflowId, record.runId);
      }
      for (const [runId, events] of unit.events) s.appendEvents.run(runId, events[0].eventId, events[events.length - 1].eventId, encodeEvents(events));
      for (const [name, value] of unit.meta) s.setMeta.run(name, value);
      for (const [scheduleKey, record] of unit.schedules) {
        const [namespace, scheduleId] = splitKey(scheduleKey);
        if (record) s.putSchedule.run(namespace, scheduleId, serialize(record));
        else s.deleteSchedule.run(namespace, scheduleId);
      }
      for (const { namespace, workflowId, runId } of unit.deleted) {
        s.deleteExecution.run(namespace, runId);
        s.deleteCurrentRun.run(namespace, workflowId, runId);
        s.deleteHistory.run(runId);
      }
    })();
    for (const { namespace, runId } of unit.deleted) this.cache.delete(key(namespace, runId));
    for (const { record, encoded } of runs) this.cache.set(key(record.namespace, record.runId), encoded);
  }

  /** Runs `fn` in a unit unless one is open (reads and writes outside the engine's entry points). */
  private inUnit<T>(fn: (unit: Unit) => T): T {
    return this.transact(() => fn(this.unit!));
  }

  namespaces(): string[] {
    const names = this.statements.namespaces.all().map((row) => row.name);
    for (const name of this.unit?.namespaces ?? []) if (!names.includes(name)) names.push(name);
    return names;
  }

  addNamespace(name: string): void {
    this.inUnit((unit) => unit.namespaces.add(name));
  }

  private load(namespace: string, runId: string): ExecutionRecord | undefined {
    const runKey = key(namespace, runId);
    let encoded = this.cache.get(runKey);
    if (!encoded) {
      encoded = this.statements.execution.get(namespace, runId)?.record;
      if (!encoded) return undefined;
      this.cache.set(runKey, encoded);
    }
    return deserialize(encoded) as ExecutionRecord;
  }

  getExecution(namespace: string, runId: string): ExecutionRecord | undefined {
    const unit = this.unit;
    if (!unit) return this.load(namespace, runId);
    const runKey = key(namespace, runId);
    if (unit.deleted.some((run) => run.namespace === namespace && run.runId === runId)) return undefined;
    let record = unit.loaded.get(runKey);
    if (!record) {
      record = this.load(namespace, runId);
      if (record) unit.loaded.set(runKey, record);
    }
    return record;
  }

  getCurrentRun(namespace: string, workflowId: string): ExecutionRecord | undefined {
    // A run created in the open unit is newer than anything committed.
    for (const runKey of this.unit?.created ?? []) {
      const record = this.unit!.loaded.get(runKey)!;
      if (record.namespace === namespace && record.workflowId === workflowId) return record;
    }
    const row = this.statements.currentRun.get(namespace, workflowId);
    return row ? this.getExecution(namespace, row.run_id) : undefined;
  }

  putExecution(record: ExecutionRecord): void {
    this.inUnit((unit) => {
      const runKey = key(record.namespace, record.runId);
      const loaded = unit.loaded.get(runKey);
      if (loaded === record) return;
      if (!loaded && !this.cache.has(runKey) && !this.statements.execution.get(record.namespace, record.runId)) {
        // Not yet stored: any older run with the same workflow id stops being the current one.
        for (const other of unit.created) {
          const candidate = unit.loaded.get(other)!;
          if (candidate.namespace === record.namespace && candidate.workflowId === record.workflowId) unit.created.delete(other);
        }
        unit.created.add(runKey);
      }
      unit.loaded.set(runKey, record);
    });
  }

  deleteExecution(record: ExecutionRecord): void {
    this.inUnit((unit) => {
      const runKey = key(record.namespace, record.runId);
      unit.loaded.delete(runKey);
      unit.created.delete(runKey);
      unit.events.delete(record.runId);
      unit.deleted.push({ namespace: record.namespace, workflowId: record.workflowId, runId: record.runId });
    });
  }

  /**
   * Files written before visibility rows existed get the column, and each run its row, once at
   * open (the rows are what lists and counts read; the runs' records are decoded only for a page).
   */
  private migrateVisibility(): void {
    const columns = this.db.prepare<[], { name: string }>('PRAGMA table_info(executions)').all();
    if (columns.some((column) => column.name === 'visibility')) return;
    this.db.transaction(() => {
      this.db.exec('ALTER TABLE executions ADD COLUMN visibility BLOB');
      const update = this.db.prepare<[string, string, string]>('UPDATE executions SET visibility = jsonb(?) WHERE namespace = ? AND run_id = ?');
      // In batches: a statement cannot write while another one is still reading.
      const batch = this.db.prepare<[number], { rowid: number; namespace: string; run_id: string; record: Buffer }>(
        'SELECT rowid, namespace, run_id, record FROM executions WHERE rowid > ? ORDER BY rowid LIMIT 500',
      );
      for (let rows = batch.all(0); rows.length > 0; rows = batch.all(rows[rows.length - 1].rowid)) {
        for (const row of rows) update.run(visibilityRow(deserialize(row.record) as ExecutionRecord), row.namespace, row.run_id);
      }
    })();
  }

  listVisibility(namespace: string, query: VisibilityQuery, pageSize: number, after?: unknown[]): { records: ExecutionRecord[]; keys: unknown[][] } {
    const order: Array<SqlFragment & { desc: boolean }> = [...query.order, { sql: 'run_id', params: [], desc: false }];
    const where: SqlFragment[] = [{ sql: 'namespace = ?', params: [namespace] }, divisionFilter(query)];
    if (query.where) where.push(query.where);
    if (after) where.push(keysetAfter(order, after));
    const keys = order.map((key, i) => `${key.sql} AS k${i}`).join(', ');
    // Only ids and sort keys go through the sort; the page's runs are read afterwards (most from the cache).
    const sql = `SELECT run_id, ${keys} FROM executions WHERE ${where.map((part) => `(${part.sql})`).join(' AND ')}
      ORDER BY ${order.map((key, i) => `k${i} ${key.desc ? 'DESC' : 'ASC'}`).join(', ')} LIMIT ?`;
    const params = [...order.flatMap((key) => key.params), ...where.flatMap((part) => part.params), pageSize];
    const rows = this.db.prepare<unknown[], Record<string, unknown> & { run_id: string }>(sql).all(...params);
    const records = rows.map((row) => this.unit?.loaded.get(key(namespace, row.run_id)) ?? this.load(namespace, row.run_id)!);
    return { records, keys: rows.map((row) => order.map((_, i) => row[`k${i}`])) };
  }

  countVisibility(namespace: string, query: VisibilityQuery): Array<{ value?: unknown; count: number }> {
    const division = divisionFilter(query);
    const where = ` AND (${division.sql})${query.where ? ` AND (${query.where.sql})` : ''}`;
    const group = query.groupBy;
    const sql = group
      ? `SELECT ${group.sql} AS value, COUNT(*) AS count FROM executions WHERE namespace = ?${where} GROUP BY value ORDER BY count DESC, value`
      : `SELECT COUNT(*) AS count FROM executions WHERE namespace = ?${where}`;
    const params = [...(group?.params ?? []), namespace, ...division.params, ...(query.where?.params ?? [])];
    return this.db.prepare<unknown[], { value?: unknown; count: number }>(sql).all(...params);
  }

  customSearchAttributes(namespace: string): Record<string, SaType> {
    let types = this.searchAttributeCache.get(namespace);
    if (!types) {
      types = {};
      for (const row of this.statements.searchAttributes.all(namespace)) {
        const type = parseType(row.type);
        if (type) types[row.name] = type;
      }
      this.searchAttributeCache.set(namespace, types);
    }
    return { ...types };
  }

  setSearchAttribute(namespace: string, name: string, type: SaType | undefined): void {
    if (type) this.statements.addSearchAttribute.run(namespace, name, type);
    else this.statements.removeSearchAttribute.run(namespace, name);
    this.searchAttributeCache.delete(namespace);
  }

  nexusEndpoints(): NexusEndpointRecord[] {
    return this.statements.nexusEndpoints.all().map((row) => deserialize(row.record) as NexusEndpointRecord);
  }

  setNexusEndpoint(id: string, record: NexusEndpointRecord | undefined): void {
    if (record) this.statements.putNexusEndpoint.run(id, serialize(record));
    else this.statements.deleteNexusEndpoint.run(id);
  }

  runningExecutions(): Array<{ namespace: string; runId: string }> {
    return this.statements.running.all().map((row) => ({ namespace: row.namespace, runId: row.run_id }));
  }

  appendEvents(_namespace: string, runId: string, events: HistoryEvent[]): void {
    this.inUnit((unit) => {
      let pending = unit.events.get(runId);
      if (!pending) unit.events.set(runId, (pending = []));
      pending.push(...events);
    });
  }

  readEvents(_namespace: string, runId: string, fromEventId = 1): HistoryEvent[] {
    const events = this.statements.readEvents.all(runId, fromEventId).flatMap((row) => decodeEvents(row.events).filter((event) => event.eventId >= fromEventId));
    for (const event of this.unit?.events.get(runId) ?? []) if (event.eventId >= fromEventId) events.push(event);
    return events;
  }

  getMeta(name: string): number | undefined {
    return this.unit?.meta.get(name) ?? this.statements.getMeta.get(name)?.value;
  }

  setMeta(name: string, value: number): void {
    this.inUnit((unit) => unit.meta.set(name, value));
  }

  getSchedule(namespace: string, scheduleId: string): ScheduleRecord | undefined {
    const scheduleKey = key(namespace, scheduleId);
    if (this.unit?.schedules.has(scheduleKey)) return this.unit.schedules.get(scheduleKey) ?? undefined;
    const row = this.statements.schedule.get(namespace, scheduleId);
    const record = row ? (deserialize(row.record) as ScheduleRecord) : undefined;
    if (record) this.unit?.schedules.set(scheduleKey, record);
    return record;
  }

  putSchedule(record: ScheduleRecord): void {
    this.inUnit((unit) => unit.schedules.set(key(record.namespace, record.scheduleId), record));
  }

  deleteSchedule(namespace: string, scheduleId: string): void {
    this.inUnit((unit) => unit.schedules.set(key(namespace, scheduleId), null));
  }

  listSchedules(namespace: string | undefined): ScheduleRecord[] {
    const byKey = new Map<string, ScheduleRecord>();
    for (const row of this.statements.schedules.all()) {
      const record = deserialize(row.record) as ScheduleRecord;
      byKey.set(key(record.namespace, record.scheduleId), record);
    }
    for (const [scheduleKey, record] of this.unit?.schedules ?? []) {
      if (record) byKey.set(scheduleKey, record);
      else byKey.delete(scheduleKey);
    }
    return [...byKey.values()]
      .filter((record) => namespace === undefined || record.namespace === namespace)
      .sort((a, b) => (a.namespace === b.namespace ? (a.scheduleId < b.scheduleId ? -1 : a.scheduleId > b.scheduleId ? 1 : 0) : a.namespace < b.namespace ? -1 : 1));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

const DIVISION_KEYS = { activity: [ACTIVITY_KEY_PREFIX, ACTIVITY_KEY_END], nexus: [NEXUS_KEY_PREFIX, NEXUS_KEY_END] };

/** Workflow runs, standalone activities or standalone Nexus operations: told apart by the key prefix of the latter two (a column, no JSON to read). */
function divisionFilter(query: VisibilityQuery): SqlFragment {
  if (query.division) return { sql: 'workflow_id >= ? AND workflow_id < ?', params: DIVISION_KEYS[query.division] };
  return { sql: '(workflow_id < ? OR workflow_id >= ?) AND (workflow_id < ? OR workflow_id >= ?)', params: [...DIVISION_KEYS.activity, ...DIVISION_KEYS.nexus] };
}

/**
 * Rows after the one whose sort keys are `after`, in the order `order` sorts them (SQLite puts NULL
 * first ascending, last descending): the first key past it, or equal and the next key past it, ….
 */
function keysetAfter(order: Array<SqlFragment & { desc: boolean }>, after: unknown[]): SqlFragment {
  const terms: SqlFragment[] = order.map((key, i) => {
    const value = after[i];
    const equal = order.slice(0, i).map((earlier, j) => ({ sql: `(${earlier.sql}) IS ?`, params: [...earlier.params, after[j]] }));
    let past: SqlFragment;
    if (value === null) past = key.desc ? { sql: '0', params: [] } : { sql: `(${key.sql}) IS NOT NULL`, params: key.params };
    else if (key.desc) past = { sql: `((${key.sql}) < ? OR (${key.sql}) IS NULL)`, params: [...key.params, value, ...key.params] };
    else past = { sql: `(${key.sql}) > ?`, params: [...key.params, value] };
    const parts = [...equal, past];
    return { sql: parts.map((part) => part.sql).join(' AND '), params: parts.flatMap((part) => part.params) };
  });
  return { sql: terms.map((term) => `(${term.sql})`).join(' OR '), params: terms.flatMap((term) => term.params) };
}
