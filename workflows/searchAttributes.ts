/**
 * The search attributes every application workflow carries, declared once: operators find cases with
 * `client.workflow.list({ query: "ApplicationStage = 'HOME_REVIEW' AND Overdue = true" })` or the
 * same filter in the Temporal UI. The worker registers them at start (`worker/searchAttributes.ts`),
 * the starts set them (acceptance, reconciliation's restart, the go-live import) and the workflow keeps
 * them in step with its state. The engine holds them in clear, unlike payloads (encrypted): no personal
 * data here, ever — no citizen number, name or phone; codes of stations and regions, a stage, an instant.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair, type TypedSearchAttributes } from '@temporalio/common';
import type { ApplicationStage } from '../domain';
import type { ApplicationInput } from './contract';

export const applicationSearchAttributes = {
  /** The stage (`ACCEPTED`, `HOME_REVIEW`, `PRINTING`, `SHIPPING`, `READY_FOR_PICKUP`, `COMPLETED`, `REFUSED`, `WITHDRAWN`). */
  stage: defineSearchAttributeKey('ApplicationStage', SearchAttributeType.KEYWORD),
  /** The station that accepted the application and hands the card over (e.g. `S31011501`). */
  acceptingStation: defineSearchAttributeKey('AcceptingStation', SearchAttributeType.KEYWORD),
  /** The household registration's region (6-digit code), whose reviewers sign the application off. */
  homeRegion: defineSearchAttributeKey('HomeRegion', SearchAttributeType.KEYWORD),
  /** The legal deadline, moved by an extension. */
  deadlineAt: defineSearchAttributeKey('DeadlineAt', SearchAttributeType.DATETIME),
  /** Past its deadline before the card was ready (cleared by an extension to a deadline still ahead). */
  overdue: defineSearchAttributeKey('Overdue', SearchAttributeType.BOOL),
} as const;

/** Every key, to register (worker start, `docker-compose.yml`'s `temporal-search-attributes`). */
export const APPLICATION_SEARCH_ATTRIBUTE_KEYS = Object.values(applicationSearchAttributes);

/** What the attributes say of an application; `deadlineAt` is left out while unknown (before the run took its acceptance time). */
export interface SearchableFacts {
  stage: ApplicationStage;
  acceptingStationCode: string;
  homeRegionCode: string;
  deadlineAt?: string;
  overdue: boolean;
}

/** The attributes of an application with these facts. */
export function searchAttributesOf(facts: SearchableFacts): SearchAttributePair[] {
  const keys = applicationSearchAttributes;
  return [
    { key: keys.stage, value: facts.stage },
    { key: keys.acceptingStation, value: facts.acceptingStationCode },
    { key: keys.homeRegion, value: facts.homeRegionCode },
    ...(facts.deadlineAt ? [{ key: keys.deadlineAt, value: new Date(facts.deadlineAt) }] : []),
    { key: keys.overdue, value: facts.overdue },
  ];
}

/**
 * The attributes a start of the application workflow carries: a new acceptance is `ACCEPTED` and not
 * overdue, its deadline follows once the run has recorded it (it counts from the run's own acceptance
 * instant); a restarted or imported run starts at its recorded stage, deadline and overdue mark.
 */
export function searchAttributesAtStart(input: ApplicationInput): SearchAttributePair[] {
  const { resume } = input;
  return searchAttributesOf({
    stage: resume?.stage ?? 'ACCEPTED',
    acceptingStationCode: input.acceptingStationCode,
    homeRegionCode: input.homeRegionCode,
    deadlineAt: resume?.deadlineAt,
    overdue: resume?.overdue ?? false,
  });
}

/** The pairs of `wanted` whose value differs from what the run holds (`current`): what an upsert must send. */
export function changedSearchAttributes(current: TypedSearchAttributes, wanted: SearchAttributePair[]): SearchAttributePair[] {
  const comparable = (value: unknown) => (value instanceof Date ? value.getTime() : value);
  return wanted.filter((pair) => comparable(current.get(pair.key)) !== comparable(pair.value));
}
