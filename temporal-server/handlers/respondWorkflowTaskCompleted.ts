/** RespondWorkflowTaskCompleted: the workflow task's commands and protocol messages applied in order, then the next task or stickiness. */
import { toMs, type Pb } from '../proto';
import { type Engine, RUNNING, DEFAULT_STICKY_TIMEOUT_MS } from '../engine';
import { handleCommand } from '../commands';
import { handleMessage } from '../commands';
import { invalidArgument, ServiceError } from '../errors';
import { commandAttributesField } from '../history';
import { asIndexedFields, validateSearchAttributes } from '../searchAttributes';

/** Commands whose search attributes are checked before any command is applied, and the namespace they are for. */
const WITH_SEARCH_ATTRIBUTES: Record<string, string> = {
  COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: 'UpsertWorkflowSearchAttributesCommand',
  COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION: 'ContinueAsNewWorkflowExecutionCommand',
  COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION: 'StartChildWorkflowCommand',
};

/**
 * Checks (and types) the search attributes the commands carry, as the real server's command
 * validator does before it applies any: the first refused one is returned as its reason.
 */
function badSearchAttributes(h: Engine, namespace: string, commands: Pb[]): string | undefined {
  for (const command of commands) {
    const name = WITH_SEARCH_ATTRIBUTES[command.commandType];
    const attributes = name ? command[commandAttributesField(command.commandType)] : undefined;
    if (!attributes) continue;
    const given = attributes.searchAttributes?.indexedFields;
    if (command.commandType === 'COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES' && !Object.keys(given ?? {}).length) {
      return `IndexedFields is not set on ${name}.`;
    }
    const target: string = attributes.namespace || namespace;
    // A child in a namespace that does not exist fails as START_CHILD_WORKFLOW_EXECUTION_FAILED instead.
    if (!h.store.namespaces().includes(target)) continue;
    try {
      const validated = validateSearchAttributes(h.store, target, given);
      if (given) attributes.searchAttributes = { indexedFields: asIndexedFields(validated, given) };
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      return command.commandType === 'COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES' ? error.message : `invalid SearchAttributes on ${name}: ${error.message}`;
    }
  }
  return undefined;
}

export function completeWorkflowTask(h: Engine, request: Pb): Pb {
  const exec = h.currentWorkflowTask(request);
  const task = exec.workflowTask!;
  const commands: Pb[] = request.commands ?? [];
  const messages = new Map<string, Pb>((request.messages ?? []).map((message: Pb) => [message.id, message]));
  h.answerQueries(exec, request.queryResults ?? {});

  const bad = badSearchAttributes(h, exec.namespace, commands);
  const refusal = bad ? { cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES', message: `BadSearchAttributes: ${bad}` } : h.nexus?.refusedCommand(exec, commands);
  if (refusal) {
    const { message } = refusal;
    // A retry that fails the same way is refused without a new event: the task times out and is retried (the real server's way).
    if (task.attempt > 1) throw invalidArgument(message);
    h.failWorkflowTask(exec, 'EVENT_TYPE_WORKFLOW_TASK_FAILED', {
      cause: refusal.cause,
      failure: { message, serverFailureInfo: { nonRetryable: true } },
      identity: request.identity ?? '',
    });
    return {};
  }

  const closing = commands.some((command) =>
    ['COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION', 'COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION', 'COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION', 'COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION'].includes(command.commandType),
  );
  const unseenUpdates = Object.values(exec.updates).some((update) => update.stage === 'admitted');
  if (closing && (exec.bufferedEvents.length > 0 || unseenUpdates)) {
    // The workflow decided to finish without having seen everything: it must look again.
    h.failWorkflowTask(exec, 'EVENT_TYPE_WORKFLOW_TASK_FAILED', {
      cause: 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND',
      failure: { message: 'Workflow tried to close while new events or updates were pending', source: 'Server' },
      identity: request.identity ?? '',
    });
    return {};
  }

  h.clearTimer(exec, 'workflowTaskTimeout');
  const completed = h.append(exec, 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED', {
    scheduledEventId: task.scheduledEventId,
    startedEventId: task.startedEventId,
    identity: request.identity ?? '',
    binaryChecksum: request.binaryChecksum ?? '',
    sdkMetadata: request.sdkMetadata,
    meteringMetadata: request.meteringMetadata,
    workerVersion: request.workerVersionStamp,
    deployment: request.deployment,
    versioningBehavior: request.versioningBehavior,
    deploymentOptions: request.deploymentOptions,
  });
  exec.lastCompletedStartedEventId = task.startedEventId!;
  exec.workflowTask = undefined;
  exec.workflowTaskAttempt = 1;
  // Released before any next task takes the lock again; skipping waits for the end of this turn.
  h.release(exec, 'workflow-task');

  const completedId = completed.eventId;
  const runtime = h.runtime(exec);
  runtime.applyingCommands = true;
  try {
    for (const command of commands) {
      if (exec.status !== RUNNING) break;
      if (command.commandType === 'COMMAND_TYPE_PROTOCOL_MESSAGE') {
        const id = command.protocolMessageCommandAttributes?.messageId;
        const message = messages.get(id);
        if (message) {
          messages.delete(id);
          handleMessage(h, exec, message, completedId);
        }
        continue;
      }
      handleCommand(h, exec, command, completedId, request.identity ?? '');
    }
    for (const message of messages.values()) {
      if (exec.status !== RUNNING) break;
      handleMessage(h, exec, message, completedId);
    }
  } finally {
    runtime.applyingCommands = false;
    h.forgetIfIdle(h.key(exec));
  }

  if (exec.status === RUNNING) {
    const sticky = request.stickyAttributes?.workerTaskQueue?.name;
    h.setSticky(exec, sticky || undefined, toMs(request.stickyAttributes?.scheduleToStartTimeout) || DEFAULT_STICKY_TIMEOUT_MS);
    for (const update of Object.values(exec.updates)) {
      // An update the workflow neither accepted nor rejected is offered again.
      if (update.stage === 'delivered') update.stage = 'admitted';
    }
    const flushed = h.flushBuffer(exec);
    const pendingUpdates = Object.values(exec.updates).some((update) => update.stage === 'admitted');
    if (flushed || exec.workflowTaskNeeded || request.forceCreateNewWorkflowTask || pendingUpdates) h.scheduleWorkflowTask(exec);
    else h.dispatchWaitingQueries(exec);
  }
  h.save(exec);
  return {};
}
