import { status } from '@grpc/grpc-js';
import type { Pb } from './proto';

/** An error the gRPC layer answers with `code`; `detail` becomes the `grpc-status-details-bin` trailer. */
export class ServiceError extends Error {
  constructor(
    readonly code: status,
    message: string,
    readonly detail?: { type: string; value: Pb },
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export const notFound = (message: string) => new ServiceError(status.NOT_FOUND, message);
export const invalidArgument = (message: string) => new ServiceError(status.INVALID_ARGUMENT, message);
export const alreadyExists = (message: string, detail?: { type: string; value: Pb }) => new ServiceError(status.ALREADY_EXISTS, message, detail);
export const failedPrecondition = (message: string) => new ServiceError(status.FAILED_PRECONDITION, message);
export const unimplemented = (method: string) =>
  new ServiceError(status.UNIMPLEMENTED, `${method} is not implemented by the embedded Temporal server (see temporal-server/README.md)`);
export const namespaceNotFound = (namespace: string) =>
  new ServiceError(status.NOT_FOUND, `Namespace ${namespace} is not found.`, {
    type: 'temporal.api.errordetails.v1.NamespaceNotFoundFailure',
    value: { namespace },
  });
