/** The standalone-activity calls of WorkflowService, bound to the engine's {@link StandaloneActivities}. */
import type * as grpc from '@grpc/grpc-js';
import type { Engine } from '../engine';
import type { Pb } from '../proto';

type Call = grpc.ServerUnaryCall<Pb, Pb>;

/** `deadlineOf` is the frontend's: when the caller stops waiting, for the long polls. */
export function standaloneActivityHandlers(engine: Engine, deadlineOf: (call: Call) => number): Record<string, (request: Pb, call: Call) => Pb | Promise<Pb>> {
  const activities = () => engine.standaloneActivities!;
  return {
    StartActivityExecution: (request) => activities().start(request),
    PollActivityExecution: (request, call) => activities().poll(request, deadlineOf(call)),
    DescribeActivityExecution: (request, call) => activities().describe(request, deadlineOf(call)),
    RequestCancelActivityExecution: (request) => activities().requestCancel(request),
    TerminateActivityExecution: (request) => activities().terminate(request),
    ListActivityExecutions: (request) => activities().list(request),
    CountActivityExecutions: (request) => activities().count(request),
  };
}
