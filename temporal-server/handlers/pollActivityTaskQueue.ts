/** PollActivityTaskQueue: a worker's long poll for an activity task. */
import { invalidArgument } from '../errors';
import type { Pb } from '../proto';
import type { Engine } from '../engine';

export function pollActivityTask(h: Engine, request: Pb, isCancelled: () => boolean): Promise<Pb> {
  const namespace = h.requireNamespace(request.namespace);
  const name: string = request.taskQueue?.name ?? '';
  if (!name) throw invalidArgument('TaskQueue is not set on request.');
  return h.matching.poll(namespace, 'activity', name, request, isCancelled);
}
