/** The Nexus RPCs: OperatorService's endpoint calls and WorkflowService's Nexus task queue calls. */
import type * as grpc from '@grpc/grpc-js';
import type { Engine } from '../engine';
import { invalidArgument } from '../errors';
import type { Pb } from '../proto';

type Handler = (request: Pb, call: grpc.ServerUnaryCall<Pb, Pb>) => Pb | Promise<Pb>;

export function nexusOperatorServiceHandlers(engine: Engine): Record<string, Handler> {
  const endpoints = () => engine.nexus!.endpoints;
  return {
    CreateNexusEndpoint: (request) => endpoints().create(request),
    GetNexusEndpoint: (request) => endpoints().get(request),
    ListNexusEndpoints: (request) => endpoints().list(request),
    UpdateNexusEndpoint: (request) => endpoints().update(request),
    DeleteNexusEndpoint: (request) => endpoints().delete(request),
  };
}

export function nexusWorkflowServiceHandlers(engine: Engine): Record<string, Handler> {
  return {
    PollNexusTaskQueue: (request, call) => {
      const namespace = engine.requireNamespace(request.namespace);
      const name: string = request.taskQueue?.name ?? '';
      if (!name) throw invalidArgument('TaskQueue is not set on request.');
      return engine.matching.poll(namespace, 'nexus', name, request, () => call.cancelled);
    },
    RespondNexusTaskCompleted: (request) => engine.nexus!.completed(request),
    RespondNexusTaskFailed: (request) => engine.nexus!.failed(request),
  };
}

/** The standalone Nexus operation calls of WorkflowService (`standalone.ts`); `deadlineOf` is the frontend's, for the long polls. */
export function standaloneNexusHandlers(engine: Engine, deadlineOf: (call: grpc.ServerUnaryCall<Pb, Pb>) => number): Record<string, Handler> {
  const operations = () => engine.nexus!.standalone;
  return {
    StartNexusOperationExecution: (request) => operations().start(request),
    DescribeNexusOperationExecution: (request, call) => operations().describe(request, deadlineOf(call)),
    PollNexusOperationExecution: (request, call) => operations().poll(request, deadlineOf(call)),
    ListNexusOperationExecutions: (request) => operations().list(request),
    CountNexusOperationExecutions: (request) => operations().count(request),
    RequestCancelNexusOperationExecution: (request) => operations().requestCancel(request),
    TerminateNexusOperationExecution: (request) => operations().terminate(request),
    DeleteNexusOperationExecution: (request) => operations().delete(request),
  };
}
