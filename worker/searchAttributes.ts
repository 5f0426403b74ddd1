import { temporal } from '@temporalio/proto';
import type { SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { APPLICATION_SEARCH_ATTRIBUTE_KEYS } from '../workflows/searchAttributes';

type OperatorService = temporal.api.operatorservice.v1.OperatorService;
const { IndexedValueType } = temporal.api.enums.v1;

/** gRPC's ALREADY_EXISTS: another worker registered the attribute between our list and our add. */
const ALREADY_EXISTS = 6;

/** `KEYWORD` (the SDK's name) → `INDEXED_VALUE_TYPE_KEYWORD` (the API's). */
const indexedValueType = (type: SearchAttributeType): temporal.api.enums.v1.IndexedValueType => IndexedValueType[`INDEXED_VALUE_TYPE_${type}`];
/** `KEYWORD_LIST` → `KeywordList`, as the Temporal CLI's `--type` takes it. */
export const cliTypeName = (type: SearchAttributeType): string => type.toLowerCase().replace(/(^|_)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());

/**
 * Makes sure `namespace` has the application's search attributes (`workflows/searchAttributes.ts`)
 * with their types, before a worker runs workflows that upsert them and before the API starts runs
 * that carry them. Idempotent: attributes already there are left alone (a real cluster where the
 * operator registered them — `docker-compose.yml` does — needs no right to add them), only missing
 * ones are added. Returns the names it added.
 * @throws Error naming the attribute when one is registered with another type (the workflows' upserts
 *   would fail), or when adding a missing one fails (with how to register it by hand); the engine's
 *   error when it cannot be reached.
 */
export async function ensureSearchAttributes(
  connection: { operatorService: OperatorService },
  namespace: string,
  keys: ReadonlyArray<SearchAttributeKey<SearchAttributeType>> = APPLICATION_SEARCH_ATTRIBUTE_KEYS,
): Promise<string[]> {
  const { operatorService } = connection;
  const missing = async () => {
    const registered = (await operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
    for (const key of keys) {
      const type = registered[key.name];
      if (type !== undefined && type !== indexedValueType(key.type)) {
        throw new Error(`search attribute ${key.name} is registered in namespace ${namespace} as ${IndexedValueType[type]}; the application needs ${key.type}`);
      }
    }
    return keys.filter((key) => registered[key.name] === undefined);
  };
  const toAdd = await missing();
  if (toAdd.length === 0) return [];
  try {
    await operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(toAdd.map((key) => [key.name, indexedValueType(key.type)])) });
  } catch (error) {
    // Another worker starting at the same time may have added them: fine if they are there now, with our types.
    if ((error as { code?: number }).code === ALREADY_EXISTS && (await missing()).length === 0) return [];
    const how = toAdd.map((key) => `--name ${key.name} --type ${cliTypeName(key.type)}`).join(' ');
    throw new Error(`could not register search attributes ${toAdd.map((key) => key.name).join(', ')} in namespace ${namespace}: ${(error as Error).message}; register them with \`temporal operator search-attribute create --namespace ${namespace} ${how}\``, { cause: error });
  }
  return toAdd.map((key) => key.name);
}
