import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';

/**
 * A decoded protobuf message as the services hand it over: camelCase fields, enums as their string
 * names, int64 as numbers, bytes as Buffers, oneofs named by a virtual field.
 */
export type Pb = any;

/** Where @temporalio/core-bridge keeps the Temporal API and TestService `.proto` files. */
export function protoRoot(): string {
  const bridge = path.dirname(require.resolve('@temporalio/core-bridge/package.json'));
  return path.join(bridge, 'sdk-core', 'crates', 'protos', 'protos');
}

/** The services the server offers, and the messages it packs into `google.protobuf.Any` itself. */
const API_FILES = [
  'temporal/api/workflowservice/v1/service.proto',
  'temporal/api/testservice/v1/service.proto',
  'temporal/api/operatorservice/v1/service.proto',
  'temporal/api/update/v1/message.proto',
  'temporal/api/errordetails/v1/message.proto',
  'google/rpc/status.proto',
];

/** The parsed API as JSON, written by `npm run build` beside the compiled module (see `writeApiJson`). */
const API_JSON = path.join(__dirname, 'temporal-api.json');

/** The API parsed from the `.proto` files: about half a second of CPU, most of the server's start. */
function parseApi(): protobuf.Root {
  const base = protoRoot();
  const dirs = [path.join(base, 'api_upstream'), path.join(base, 'testsrv_upstream'), base];
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (path.isAbsolute(target)) return target;
    for (const dir of dirs) {
      const candidate = path.join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    return target;
  };
  // camelCase fields, as the SDKs' JSON and the handlers expect them.
  root.loadSync(API_FILES, { keepCase: false }).resolveAll();
  return root;
}

/** Parses the `.proto` files once and writes them as JSON for `apiRoot` (run by `npm run build`). */
export function writeApiJson(file = API_JSON): void {
  writeFileSync(file, JSON.stringify(parseApi().toJSON()));
}

let api: protobuf.Root | undefined;

/** The Temporal API's types: from the build's JSON when there is one (a fraction of the parse), else from the `.proto` files. */
function apiRoot(): protobuf.Root {
  if (!api) {
    api = existsSync(API_JSON) ? protobuf.Root.fromJSON(JSON.parse(readFileSync(API_JSON, 'utf8'))) : parseApi();
    api.resolveAll();
  }
  return api;
}

/**
 * A gRPC service definition for @grpc/grpc-js, methods named as in the `.proto` file. Each message
 * type's codec is generated on its first use, so a start pays only for the types the calls touch.
 */
export function serviceDefinition(fullName: string): grpc.ServiceDefinition {
  const service = apiRoot().lookupService(fullName);
  const methods = service.methodsArray.map((method) => {
    method.resolve();
    const request = method.resolvedRequestType!;
    const response = method.resolvedResponseType!;
    return [
      method.name,
      {
        path: `/${fullName}/${method.name}`,
        requestStream: !!method.requestStream,
        responseStream: !!method.responseStream,
        requestSerialize: serializer(request),
        requestDeserialize: deserializer(request),
        responseSerialize: serializer(response),
        responseDeserialize: deserializer(response),
        originalName: method.name[0].toLowerCase() + method.name.slice(1),
      },
    ];
  });
  return Object.fromEntries(methods) as grpc.ServiceDefinition;
}

const serializer = (type: protobuf.Type) => (message: Pb) => Buffer.from(type.encode(type.fromObject(message)).finish());
const deserializer = (type: protobuf.Type) => (bytes: Buffer) => type.toObject(type.decode(bytes), conversion);

/** How messages are handed to the handlers: see `Pb`. */
const conversion: protobuf.IConversionOptions = { longs: Number, enums: String, bytes: Buffer as unknown as typeof String, defaults: false, arrays: true, objects: true, oneofs: true };

/** Packs a message into an Any. The field is snake_case `type_url`: protobufjs keeps its well-known types' names. */
export function packAny(typeName: string, value: Pb): Pb {
  const type = apiRoot().lookupType(typeName);
  const bytes = type.encode(type.fromObject(value)).finish();
  return { type_url: `type.googleapis.com/${typeName}`, value: Buffer.from(bytes) };
}

/** Unpacks an Any, returning its type name (without the URL prefix) and the decoded message. */
export function unpackAny(any: Pb): { typeName: string; value: Pb } {
  const url: string = any?.type_url ?? any?.typeUrl ?? '';
  const typeName = url.slice(url.lastIndexOf('/') + 1);
  const type = apiRoot().lookupType(typeName);
  const value = type.toObject(type.decode(any.value ?? Buffer.alloc(0)), conversion);
  return { typeName, value };
}

/** Encodes a google.rpc.Status carrying one detail, for the `grpc-status-details-bin` trailer. */
export function encodeStatusDetails(code: number, message: string, detailType: string, detail: Pb): Buffer {
  const status = apiRoot().lookupType('google.rpc.Status');
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
