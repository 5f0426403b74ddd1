/**
 * OperatorService AddSearchAttributes, ListSearchAttributes and RemoveSearchAttributes, with the real
 * server's checks and messages (`service/frontend/operator_handler.go`), per namespace as its SQL
 * visibility keeps them. Registered attributes are in the store (the SQLite file with `--db-filename`).
 */
import { alreadyExists, invalidArgument, notFound } from '../errors';
import type { Pb } from '../proto';
import type { Engine } from '../engine';
import { enumName, isReserved, parseType, SYSTEM_ATTRIBUTES, type SaType } from '../searchAttributes';

function namespaceOf(h: Engine, request: Pb): string {
  if (!request.namespace) throw invalidArgument('Namespace not set on request.');
  return h.requireNamespace(request.namespace);
}

/**
 * Registers each attribute, or none if one is refused: a reserved name or an unknown type is
 * INVALID_ARGUMENT; a name already registered with the same type is left as it is (the real server
 * is idempotent), with another type ALREADY_EXISTS.
 */
export function addSearchAttributes(h: Engine, request: Pb): Pb {
  const given = Object.entries((request.searchAttributes ?? {}) as Record<string, unknown>);
  if (given.length === 0) throw invalidArgument('SearchAttributes are not set on request.');
  const wanted: Array<[string, SaType]> = [];
  for (const [name, typeGiven] of given) {
    if (isReserved(name)) throw invalidArgument(`Search attribute ${name} is reserved by system.`);
    const type = typeof typeGiven === 'string' && !typeGiven.startsWith('INDEXED_VALUE_TYPE_') ? undefined : parseType(typeGiven);
    if (!type) throw invalidArgument(`Unknown search attribute type: ${String(typeGiven)}.`);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw invalidArgument(`Search attribute name ${JSON.stringify(name)} is not valid: letters, digits and _ only, not starting with a digit.`);
    wanted.push([name, type]);
  }
  const namespace = namespaceOf(h, request);
  const current = h.store.customSearchAttributes(namespace);
  for (const [name, type] of wanted) {
    if (current[name] && current[name] !== type) throw alreadyExists(`Search attribute ${name} already exists.`);
  }
  for (const [name, type] of wanted) if (!current[name]) h.store.setSearchAttribute(namespace, name, type);
  return {};
}

export function listSearchAttributes(h: Engine, request: Pb): Pb {
  const namespace = namespaceOf(h, request);
  const custom = h.store.customSearchAttributes(namespace);
  return {
    customAttributes: Object.fromEntries(Object.entries(custom).map(([name, type]) => [name, enumName(type)])),
    systemAttributes: Object.fromEntries(Object.entries(SYSTEM_ATTRIBUTES).map(([name, type]) => [name, enumName(type)])),
    storageSchema: {},
  };
}

/** Removes custom attributes: a system one is INVALID_ARGUMENT, one never registered NOT_FOUND; none is removed then. */
export function removeSearchAttributes(h: Engine, request: Pb): Pb {
  const names: string[] = request.searchAttributes ?? [];
  if (names.length === 0) throw invalidArgument('SearchAttributes are not set on request.');
  const namespace = namespaceOf(h, request);
  const current = h.store.customSearchAttributes(namespace);
  for (const name of names) {
    if (current[name]) continue;
    if (isReserved(name)) throw invalidArgument(`Unable to remove non-custom search attributes: ${name}.`);
    throw notFound(`Search attribute ${name} doesn't exist.`);
  }
  for (const name of names) h.store.setSearchAttribute(namespace, name, undefined);
  return {};
}

/** WorkflowService GetSearchAttributes (no namespace in the request): system and the default namespace's custom ones. */
export function getSearchAttributes(h: Engine): Pb {
  const all: Record<string, SaType> = { ...SYSTEM_ATTRIBUTES, ...h.store.customSearchAttributes('default') };
  return { keys: Object.fromEntries(Object.entries(all).map(([name, type]) => [name, enumName(type)])) };
}
