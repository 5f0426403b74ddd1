/**
 * Task queues: tasks waiting for a worker, and workers' long polls waiting for a task. A task is a
 * promise of work, not the work itself: `tryStart` turns it into a poll response at the moment a
 * poller takes it, or returns undefined when the engine has since moved on (the task went stale).
 */
import type { Pb } from './proto';

export type TaskKind = 'workflow' | 'activity' | 'nexus';

export interface QueuedTask {
  tryStart(poll: Pb): Pb | undefined;
}

interface Poller {
  request: Pb;
  deliver(response: Pb): void;
  isCancelled(): boolean;
}

interface Queue {
  tasks: QueuedTask[];
  pollers: Poller[];
}

/** The answer to a poll that found nothing before its time ran out. */
export const EMPTY_POLL: Pb = {};

export class Matching {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly pollTimeoutMs: number) {}

  private queue(namespace: string, kind: TaskKind, name: string): Queue {
    const key = `${namespace}\u0000${kind}\u0000${name}`;
    let queue = this.queues.get(key);
    if (!queue) this.queues.set(key, (queue = { tasks: [], pollers: [] }));
    return queue;
  }

  addTask(namespace: string, kind: TaskKind, name: string, task: QueuedTask): void {
    const queue = this.queue(namespace, kind, name);
    while (queue.pollers.length > 0) {
      const poller = queue.pollers.shift()!;
      if (poller.isCancelled()) continue;
      const response = task.tryStart(poller.request);
      if (response === undefined) {
        // The task went stale before anyone saw it; the poller keeps its place.
        queue.pollers.unshift(poller);
        return;
      }
      poller.deliver(response);
      return;
    }
    queue.tasks.push(task);
  }

  /** Long-polls `name` until a task starts, the time runs out, or the caller goes away. */
  poll(namespace: string, kind: TaskKind, name: string, request: Pb, isCancelled: () => boolean): Promise<Pb> {
    const queue = this.queue(namespace, kind, name);
    while (queue.tasks.length > 0) {
      const response = queue.tasks.shift()!.tryStart(request);
      if (response !== undefined) return Promise.resolve(response);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(EMPTY_POLL), this.pollTimeoutMs);
      let done = false;
      const finish = (response: Pb) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const index = queue.pollers.indexOf(poller);
        if (index >= 0) queue.pollers.splice(index, 1);
        resolve(response);
      };
      const poller: Poller = { request, deliver: finish, isCancelled: () => done || isCancelled() };
      queue.pollers.push(poller);
    });
  }

  /** Answers every poll on `name` at once with no task (a worker shutting down its sticky queue). */
  releasePollers(namespace: string, kind: TaskKind, name: string): void {
    const queue = this.queue(namespace, kind, name);
    for (const poller of queue.pollers.splice(0)) poller.deliver(EMPTY_POLL);
  }

  releaseAll(): void {
    for (const queue of this.queues.values()) for (const poller of queue.pollers.splice(0)) poller.deliver(EMPTY_POLL);
  }

  /** How many tasks wait on a queue; a hint for pollers. */
  backlog(namespace: string, kind: TaskKind, name: string): number {
    return this.queue(namespace, kind, name).tasks.length;
  }

  pollerCount(namespace: string, kind: TaskKind, name: string): number {
    return this.queue(namespace, kind, name).pollers.length;
  }
}
