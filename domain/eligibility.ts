import type { CalendarDate } from './calendar';
import { namesMatch } from './names';
import { regionPrefix } from './regions';

/**
 * Whether a station may accept a cross-region application (异地受理). Checks, in this order — the
 * first that fails is the answer:
 * 1. `unknown_citizen` — no such person in the population registry;
 * 2. `name_mismatch` — the presented name is not the registry's (identity before anything else,
 *    so nothing about a person is told to someone who does not know who they are);
 * 3. `refused_blacklisted` — on the blacklist of dishonest persons (不诚信人员黑名单): must go home;
 * 4. `refused_no_fingerprints` — the appearance has changed greatly and the card on record carries
 *    no registered fingerprints, so identity cannot be confirmed here: must go home;
 * 5. `station_not_allowed` — the rollout policy does not yet let this station accept that home
 *    region on that date;
 * 6. `duplicate_application` — the person already has an application in progress somewhere (one at
 *    a time, anywhere: the pilots' 重复办证), answered with its `applicationId`. Last, so that a
 *    person who may not apply here at all is told why rather than pointed at another application.
 *
 * There is deliberately no check of local preconditions such as a residence permit (居住证): they
 * are local policy, and Shanghai's pilot showed they trap people who lost their card (the permit
 * needs the card). They must never block a replacement for a lost card.
 *
 * A station may also accept people registered in its own region (not strictly 异地): that is the
 * ordinary local service, always open whatever the rollout, so there is no `not_cross_region` refusal.
 */
/** The two kinds of application: a renewal (换领: expired, worn, a changed name) and a replacement (补领: lost or stolen). */
export const APPLICATION_KINDS = ['renewal', 'replacement'] as const;
export type ApplicationKind = (typeof APPLICATION_KINDS)[number];

/** What the station enters at the counter to accept an application: `POST /v1/applications`, as the console's form sends it. */
export interface CounterApplication {
  idNumber: string;
  name: string;
  kind: ApplicationKind;
  reason: string;
  fingerprintCaptured: boolean;
  appearanceChanged: boolean;
  temporaryCardRequested?: boolean;
  contactPhone?: string;
}

export type RefusalCode =
  | 'unknown_citizen'
  | 'name_mismatch'
  | 'refused_blacklisted'
  | 'refused_no_fingerprints'
  | 'station_not_allowed'
  | 'duplicate_application';

export const REFUSAL_CODES: readonly RefusalCode[] = [
  'unknown_citizen',
  'name_mismatch',
  'refused_blacklisted',
  'refused_no_fingerprints',
  'station_not_allowed',
  'duplicate_application',
];

export const refusalMessages: Readonly<Record<RefusalCode, string>> = {
  unknown_citizen: 'No such citizen in the population registry.',
  name_mismatch: 'The name does not match the population registry.',
  refused_blacklisted: 'The person is on the blacklist of dishonest persons and must apply in the home region.',
  refused_no_fingerprints:
    'The appearance has changed greatly and the card on record carries no registered fingerprints: identity cannot be confirmed here; apply in the home region.',
  station_not_allowed: 'This station may not yet accept applications from that home region.',
  duplicate_application: 'An application for this person is already in progress.',
};

/**
 * Stations whose region code starts with `stationRegionPrefix` may accept people whose home region
 * starts with `homeRegionPrefix`, from `from` to `until`, both days included. `''` matches
 * everywhere: nationwide from 2017-07-01 is `{ stationRegionPrefix: '', homeRegionPrefix: '', from: '2017-07-01' }`.
 * Prefixes are raw digit prefixes (`'44'`, `'4403'`), not padded codes.
 */
export interface RolloutRule {
  stationRegionPrefix: string;
  homeRegionPrefix: string;
  from: CalendarDate;
  until?: CalendarDate | null;
}

export interface AcceptanceCitizen {
  idNumber: string;
  name: string;
  homeRegionCode: string;
  /** Whether the card on record carries registered fingerprints. */
  hasFingerprints?: boolean;
  /** The same, as the brief spelled it; either may be given. */
  hasRegisteredFingerprints?: boolean;
}

export interface AcceptanceRequest {
  citizen?: AcceptanceCitizen | null;
  presentedName: string;
  blacklisted: boolean;
  appearanceChanged: boolean;
  station: { stationCode: string; regionCode: string };
  rolloutPolicy: readonly RolloutRule[];
  on: CalendarDate;
  applicationInProgress?: { applicationId: string } | null;
}

export type AcceptanceVerdict = { ok: true } | { ok: false; code: RefusalCode; message: string; applicationId?: string };

/**
 * Whether `station` may accept someone registered in `homeRegionCode` on `on`: always within the
 * station's own region (local service), otherwise when some rollout rule covers the pair that day.
 */
export function stationMayAccept(station: { regionCode: string }, homeRegionCode: string, rules: readonly RolloutRule[], on: CalendarDate): boolean {
  const own = regionPrefix(station.regionCode);
  if (own !== '' && homeRegionCode.startsWith(own)) return true;
  return rules.some(
    (rule) =>
      station.regionCode.startsWith(rule.stationRegionPrefix) &&
      homeRegionCode.startsWith(rule.homeRegionPrefix) &&
      rule.from <= on &&
      (rule.until == null || on <= rule.until),
  );
}

const hasRegisteredFingerprints = (citizen: AcceptanceCitizen): boolean => Boolean(citizen.hasRegisteredFingerprints ?? citizen.hasFingerprints);

/** The acceptance decision, checks in the order documented above. Pure: the caller gathers the facts. */
export function checkAcceptance(request: AcceptanceRequest): AcceptanceVerdict {
  const refuse = (code: RefusalCode): AcceptanceVerdict => ({ ok: false, code, message: refusalMessages[code] });
  const { citizen } = request;
  if (!citizen) return refuse('unknown_citizen');
  if (!namesMatch(request.presentedName, citizen.name)) return refuse('name_mismatch');
  if (request.blacklisted) return refuse('refused_blacklisted');
  if (request.appearanceChanged && !hasRegisteredFingerprints(citizen)) return refuse('refused_no_fingerprints');
  if (!stationMayAccept(request.station, citizen.homeRegionCode, request.rolloutPolicy, request.on)) return refuse('station_not_allowed');
  if (request.applicationInProgress) {
    const { applicationId } = request.applicationInProgress;
    return { ok: false, code: 'duplicate_application', message: refusalMessages.duplicate_application, applicationId };
  }
  return { ok: true };
}
