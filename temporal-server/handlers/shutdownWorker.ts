/** ShutdownWorker: the worker's sticky queue is dead, so its runs go back to the normal queue at once. */
import type { Pb } from '../proto';
import type { Engine } from '../engine';

/** A worker going away: its sticky queue is dead, so its runs go back to the normal queue. */
export function shutdownWorker(h: Engine, request: Pb): Pb {
  const namespace = h.requireNamespace(request.namespace);
  const queue: string = request.stickyTaskQueue ?? '';
  if (!queue) return {};
  for (const key of [...(h.stickyIndex.get(queue) ?? [])]) {
    const exec = h.store.getExecution(key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1));
    if (exec) {
      h.moveToNormalQueue(exec);
      h.save(exec);
    }
  }
  h.stickyIndex.delete(queue);
  h.matching.releasePollers(namespace, 'workflow', queue);
  return {};
}
