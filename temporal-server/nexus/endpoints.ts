/**
 * Nexus endpoints: OperatorService Create/Get/List/Update/DeleteNexusEndpoint, with the checks and
 * refusals of the real server (`service/frontend/nexus_endpoint_client.go`,
 * `service/matching/nexus_endpoint_client.go`). An endpoint names a worker target (a namespace and a
 * task queue) where its Nexus tasks go. Endpoints are cluster-wide and kept in the store's file.
 */
import { randomUUID } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import { alreadyExists, failedPrecondition, invalidArgument, notFound, ServiceError } from '../errors';
import { timestamp, type Pb } from '../proto';
import type { Engine } from '../engine';

export interface NexusEndpointRecord {
  id: string;
  version: number;
  createdTime: number;
  lastModifiedTime: number;
  /** `temporal.api.nexus.v1.EndpointSpec`: name, description, target. */
  spec: Pb;
}

/** The real server's `EndpointNameRegex` and default `MaxNexusEndpointNameLength`. */
const NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]$/;
const MAX_NAME_LENGTH = 200;
const MAX_PAGE_SIZE = 1000;
const DEFAULT_PAGE_SIZE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The API's view of an endpoint. */
export function endpointView(record: NexusEndpointRecord): Pb {
  return {
    version: record.version,
    id: record.id,
    spec: record.spec,
    createdTime: timestamp(record.createdTime),
    lastModifiedTime: timestamp(record.lastModifiedTime),
    urlPrefix: `/nexus/endpoints/${record.id}`,
  };
}

function issuesError(issues: string[]): ServiceError | undefined {
  return issues.length > 0 ? invalidArgument(issues.join(', ')) : undefined;
}

function idIssues(id: string | undefined): string[] {
  if (!id) return ['endpoint ID not set'];
  if (!UUID.test(id)) return [`malformed endpoint ID: "invalid UUID format"`];
  return [];
}

export class NexusEndpoints {
  constructor(private readonly h: Engine) {}

  all(): NexusEndpointRecord[] {
    return this.h.store.nexusEndpoints();
  }

  byName(name: string): NexusEndpointRecord | undefined {
    return this.all().find((record) => record.spec.name === name);
  }

  byId(id: string): NexusEndpointRecord | undefined {
    return this.all().find((record) => record.id === id);
  }

  /** @throws ServiceError INVALID_ARGUMENT with every issue found, FAILED_PRECONDITION for an unknown target namespace. */
  private validateSpec(spec: Pb | undefined): Pb {
    const issues: string[] = [];
    const name: string = spec?.name ?? '';
    if (!name) issues.push('endpoint name not set');
    else {
      if (name.length > MAX_NAME_LENGTH) issues.push(`endpoint name exceeds length limit of ${MAX_NAME_LENGTH}`);
      if (!NAME_PATTERN.test(name)) issues.push(`endpoint name must match the regex: "${NAME_PATTERN.source}"`);
    }
    const target = spec?.target;
    if (!target?.worker && !target?.external) {
      issues.push('empty target variant');
      throw issuesError(issues)!;
    }
    if (target.worker) {
      const namespace: string = target.worker.namespace ?? '';
      if (!namespace) issues.push('target namespace not set');
      else if (!this.h.store.namespaces().includes(namespace)) {
        throw failedPrecondition(`could not verify namespace referenced by target exists: Namespace name "${namespace}" not found`);
      }
      if (!target.worker.taskQueue) issues.push('invalid target task queue: "taskQueue is not set"');
    } else {
      // Only worker targets can be served here: an external URL would need an HTTP Nexus client.
      issues.push('external endpoint targets are not supported by the embedded Temporal server');
    }
    const error = issuesError(issues);
    if (error) throw error;
    return { name, description: spec!.description, target: { worker: { namespace: target.worker.namespace, taskQueue: target.worker.taskQueue } } };
  }

  create(request: Pb): Pb {
    const spec = this.validateSpec(request.spec);
    if (this.byName(spec.name)) throw alreadyExists(`error creating Nexus endpoint. Endpoint with name ${spec.name} already registered`);
    const now = Date.now();
    const record: NexusEndpointRecord = { id: randomUUID(), version: 1, createdTime: now, lastModifiedTime: now, spec };
    this.h.store.setNexusEndpoint(record.id, record);
    return { endpoint: endpointView(record) };
  }

  get(request: Pb): Pb {
    const error = issuesError(idIssues(request.id));
    if (error) throw error;
    const record = this.byId(request.id);
    if (!record) throw notFound(`could not find Nexus endpoint with ID: ${request.id}`);
    return { endpoint: endpointView(record) };
  }

  list(request: Pb): Pb {
    const pageSize = Number(request.pageSize ?? 0);
    if (pageSize < 0) throw invalidArgument('page_size is negative');
    if (pageSize > MAX_PAGE_SIZE) throw invalidArgument(`page_size exceeds limit of ${MAX_PAGE_SIZE}`);
    if (request.name) {
      const record = this.byName(request.name);
      return { endpoints: record ? [endpointView(record)] : [], nextPageToken: Buffer.alloc(0) };
    }
    const after = Buffer.from(request.nextPageToken ?? []).toString('utf8');
    const size = pageSize || DEFAULT_PAGE_SIZE;
    const rest = this.all().filter((record) => !after || record.id > after);
    const page = rest.slice(0, size);
    const more = rest.length > size;
    return { endpoints: page.map(endpointView), nextPageToken: more ? Buffer.from(page[page.length - 1].id) : Buffer.alloc(0) };
  }

  update(request: Pb): Pb {
    const error = issuesError(idIssues(request.id));
    if (error) throw error;
    const spec = this.validateSpec(request.spec);
    const record = this.byId(request.id);
    if (!record) throw notFound(`error updating Nexus endpoint. endpoint ID ${request.id} not found`);
    const version = Number(request.version ?? 0);
    if (version !== record.version) throw failedPrecondition(`nexus endpoint version mismatch. received: ${version} expected ${record.version}`);
    const other = this.byName(spec.name);
    if (other && other.id !== record.id) throw alreadyExists(`error updating Nexus endpoint. Endpoint with name ${spec.name} already registered`);
    const updated: NexusEndpointRecord = { ...record, version: record.version + 1, lastModifiedTime: Date.now(), spec };
    this.h.store.setNexusEndpoint(record.id, updated);
    return { endpoint: endpointView(updated) };
  }

  delete(request: Pb): Pb {
    const issues = idIssues(request.id);
    if (Number(request.version ?? 0) <= 0) issues.push('endpoint version is non-positive');
    const error = issuesError(issues);
    if (error) throw error;
    const record = this.byId(request.id);
    if (!record) throw notFound(`error deleting nexus endpoint with ID: ${request.id}`);
    if (Number(request.version) !== record.version) {
      throw new ServiceError(grpcStatus.FAILED_PRECONDITION, `nexus endpoint version mismatch. received: ${request.version} expected ${record.version}`);
    }
    this.h.store.setNexusEndpoint(record.id, undefined);
    return {};
  }
}
