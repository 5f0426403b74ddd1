/** GetWorkflowExecutionHistory: pages of events, long-polling for new ones or the close event when asked. */
import type { Pb } from '../proto';
import { isCloseEvent } from '../history';
import { type Engine, RUNNING } from '../engine';

export async function getHistory(h: Engine, request: Pb, deadline: number): Promise<Pb> {
  const namespace = h.requireNamespace(request.namespace);
  let exec = h.getExecution(namespace, request.execution);
  const closeOnly = request.historyEventFilterType === 'HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT';
  const from = request.nextPageToken?.length ? Number(Buffer.from(request.nextPageToken).toString('utf8')) : 1;
  const ready = () => {
    const now = h.store.getExecution(namespace, exec.runId) ?? exec;
    return closeOnly ? now.status !== RUNNING : now.nextEventId > from || now.status !== RUNNING;
  };
  if (request.waitNewEvent && !ready()) {
    await h.longPoll(exec, 'historyWaiters', ready, deadline);
    exec = h.store.getExecution(namespace, exec.runId) ?? exec;
  }
  if (closeOnly) {
    if (exec.status === RUNNING) return { history: { events: [] }, nextPageToken: Buffer.from(String(from)) };
    const events = h.store.readEvents(namespace, exec.runId);
    return { history: { events: events.filter(isCloseEvent).slice(-1) }, nextPageToken: Buffer.alloc(0) };
  }
  const pageSize = request.maximumPageSize > 0 ? request.maximumPageSize : 1000;
  const events = h.store.readEvents(namespace, exec.runId, from).slice(0, pageSize);
  const next = from + events.length;
  const more = next < exec.nextEventId || (request.waitNewEvent && exec.status === RUNNING);
  return { history: { events }, nextPageToken: more ? Buffer.from(String(next)) : Buffer.alloc(0), archived: false };
}
