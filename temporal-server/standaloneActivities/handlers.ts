/** The standalone-activity calls of WorkflowService, bound to the engine's {@link StandaloneActivities}. */
import type * as grpc from '@grpc/grpc-js';
import type { Engine } from '../engine';
import type { Pb } from '../proto';
import { pauseActivity } from '../handlers/pauseActivity';
import { resetActivity } from '../handlers/resetActivity';
import { unpauseActivity } from '../handlers/unpauseActivity';
import { updateActivityOptions } from '../handlers/updateActivityOptions';

type Call = grpc.ServerUnaryCall<Pb, Pb>;

/** An `…ActivityExecution` operator call with a workflow id names that workflow's activity: the workflow call's form. */
const asWorkflowActivity = (request: Pb): Pb => ({ ...request, execution: { workflowId: request.workflowId, runId: request.runId }, id: request.activityId || undefined });

/** `deadlineOf` is the frontend's: when the caller stops waiting, for the long polls. */
export function standaloneActivityHandlers(engine: Engine, deadlineOf: (call: Call) => number): Record<string, (request: Pb, call: Call) => Pb | Promise<Pb>> {
  const activities = () => engine.standaloneActivities!;
  return {
    StartActivityExecution: (request) => activities().start(request),
    PollActivityExecution: (request, call) => activities().poll(request, deadlineOf(call)),
    DescribeActivityExecution: (request, call) => activities().describe(request, deadlineOf(call)),
    RequestCancelActivityExecution: (request) => activities().requestCancel(request),
    TerminateActivityExecution: (request) => activities().terminate(request),
    DeleteActivityExecution: (request) => activities().delete(request),
    ListActivityExecutions: (request) => activities().list(request),
    CountActivityExecutions: (request) => activities().count(request),
    PauseActivityExecution: (request) => (request.workflowId ? pauseActivity(engine, asWorkflowActivity(request)) : activities().pause(request)),
    UnpauseActivityExecution: (request) => (request.workflowId ? unpauseActivity(engine, asWorkflowActivity(request)) : activities().unpause(request)),
    ResetActivityExecution: (request) => (request.workflowId ? resetActivity(engine, asWorkflowActivity(request)) : activities().reset(request)),
    UpdateActivityExecutionOptions: (request) =>
      request.workflowId ? updateActivityOptions(engine, asWorkflowActivity(request)) : activities().updateOptions(request),
  };
}
