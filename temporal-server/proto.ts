import { existsSync } from 'node:fs';
import path from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import * as protobuf from 'protobufjs';

/**
 * A decoded protobuf message as @grpc/proto-loader hands it over: camelCase fields, enums as their
 * string names, int64 as numbers, bytes as Buffers, oneofs named by a virtual field.
 */
export type Pb = any;

/** Where @temporalio/core-bridge keeps the Temporal API and TestService `.proto` files. */
export function protoRoot(): string {
  const bridge = path.dirname(require.resolve('@temporalio/core-bridge/package.json'));
  return path.join(bridge, 'sdk-core', 'crates', 'protos', 'protos');
}

function includeDirs(): string[] {
  const root = protoRoot();
  return [path.join(root, 'api_upstream'), path.join(root, 'testsrv_upstream'), root];
}

/** Loads the WorkflowService, TestService and OperatorService definitions for @grpc/grpc-js. */
export function loadServiceDefinitions(): protoLoader.PackageDefinition {
  return protoLoader.loadSync(
    [
      'temporal/api/workflowservice/v1/service.proto',
      'temporal/api/testservice/v1/service.proto',
      'temporal/api/operatorservice/v1/service.proto',
    ],
    { keepCase: false, longs: Number, enums: String, defaults: false, arrays: true, objects: true, oneofs: true, includeDirs: includeDirs() },
  );
}

let messageRoot: protobuf.Root | undefined;

/**
 * The protobufjs root used for the few messages we pack into `google.protobuf.Any` ourselves
 * (update protocol bodies, gRPC status details). proto-loader only gives us service codecs.
 */
function messages(): protobuf.Root {
  if (messageRoot) return messageRoot;
  const dirs = includeDirs();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (path.isAbsolute(target)) return target;
    for (const dir of dirs) {
      const candidate = path.join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    return target;
  };
  root.loadSync(['temporal/api/update/v1/message.proto', 'temporal/api/errordetails/v1/message.proto', 'google/rpc/status.proto'], {
    keepCase: false,
  });
  messageRoot = root;
  return root;
}

const conversion: protobuf.IConversionOptions = { longs: Number, enums: String, bytes: Buffer as unknown as typeof String, defaults: false, arrays: true, objects: true, oneofs: true };

/** Packs a message into an Any. The field must be snake_case `type_url`: proto-loader does not rename it. */
export function packAny(typeName: string, value: Pb): Pb {
  const type = messages().lookupType(typeName);
  const bytes = type.encode(type.fromObject(value)).finish();
  return { type_url: `type.googleapis.com/${typeName}`, value: Buffer.from(bytes) };
}

/** Unpacks an Any, returning its type name (without the URL prefix) and the decoded message. */
export function unpackAny(any: Pb): { typeName: string; value: Pb } {
  const url: string = any?.type_url ?? any?.typeUrl ?? '';
  const typeName = url.slice(url.lastIndexOf('/') + 1);
  const type = messages().lookupType(typeName);
  const value = type.toObject(type.decode(any.value ?? Buffer.alloc(0)), conversion);
  return { typeName, value };
}

/** Encodes a google.rpc.Status carrying one detail, for the `grpc-status-details-bin` trailer. */
export function encodeStatusDetails(code: number, message: string, detailType: string, detail: Pb): Buffer {
  const status = messages().lookupType('google.rpc.Status');
  const packed = packAny(detailType, detail);
  const bytes = status.encode(status.fromObject({ code, message, details: [{ type_url: packed.type_url, value: packed.value }] })).finish();
  return Buffer.from(bytes);
}

/** A google.protobuf.Timestamp for epoch milliseconds. */
export function timestamp(ms: number): Pb {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

/** A google.protobuf.Duration for milliseconds. */
export function duration(ms: number): Pb {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

/** Milliseconds of a Duration or Timestamp; 0 when absent. */
export function toMs(value: Pb | null | undefined): number {
  if (!value) return 0;
  return Number(value.seconds ?? 0) * 1000 + Math.floor(Number(value.nanos ?? 0) / 1e6);
}
