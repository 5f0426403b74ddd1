/** Small helpers for building history events and reading commands, shared by the engine. */
import type { Pb } from './proto';

/** `WORKFLOW_EXECUTION_STARTED` → `workflowExecutionStartedEventAttributes`. */
export function eventAttributesField(eventType: string): string {
  return `${camel(eventType.replace(/^EVENT_TYPE_/, ''))}EventAttributes`;
}

/** `COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK` → `scheduleActivityTaskCommandAttributes`. */
export function commandAttributesField(commandType: string): string {
  return `${camel(commandType.replace(/^COMMAND_TYPE_/, ''))}CommandAttributes`;
}

function camel(upperSnake: string): string {
  return upperSnake.toLowerCase().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** The attributes of an event, whichever kind it is. */
export function eventAttributes(event: Pb): Pb {
  return event[eventAttributesField(event.eventType)] ?? {};
}

const CLOSE_EVENTS = new Set([
  'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
  'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED',
  'EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT',
  'EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED',
  'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED',
  'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
]);

export function isCloseEvent(event: Pb): boolean {
  return CLOSE_EVENTS.has(event.eventType);
}

/** Marks `startedEventId` in a buffered event as "the event just before me", filled in when ids are assigned. */
export const PREVIOUS_EVENT = -1;

/** The list-query names of statuses (`ExecutionStatus = 'Running'`). */
export const STATUS_NAMES: Record<string, string> = {
  Running: 'WORKFLOW_EXECUTION_STATUS_RUNNING',
  Completed: 'WORKFLOW_EXECUTION_STATUS_COMPLETED',
  Failed: 'WORKFLOW_EXECUTION_STATUS_FAILED',
  Canceled: 'WORKFLOW_EXECUTION_STATUS_CANCELED',
  Terminated: 'WORKFLOW_EXECUTION_STATUS_TERMINATED',
  TimedOut: 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT',
  ContinuedAsNew: 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW',
};
