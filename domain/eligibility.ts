import { regionPrefix } from './regions';

/**
 * Whether a station may accept a cross-region application (异地受理), checked in this order:
 * unknown citizen, name mismatch, blacklisted, appearance changed with no fingerprints on record,
 * station not allowed that home region under the rollout policy, application already in progress.
 * Local preconditions such as a residence permit are policy outside these rules and never block a
 * replacement for a lost card (Shanghai's pilot trapped people that way), so there is no such check.
 * A station may also accept people registered in its own region.
 */
export type RefusalCode =
  | 'unknown_citizen'
  | 'name_mismatch'
  | 'refused_blacklisted'
  | 'refused_no_fingerprints'
  | 'station_not_allowed'
  | 'duplicate_application';

export const refusalMessages: Record<RefusalCode, string> = {
  unknown_citizen: 'No such citizen in the population registry.',
  name_mismatch: 'The name does not match the population registry.',
  refused_blacklisted: 'The person is on the blacklist of dishonest persons and must apply at the home region.',
  refused_no_fingerprints: 'The appearance has changed greatly and no fingerprints are on record: identity cannot be confirmed here; apply at the home region.',
  station_not_allowed: 'This station may not yet accept applications from that home region.',
  duplicate_application: 'An application for this person is already in progress.',
};

/** Stations whose region code starts with `stationRegionPrefix` may accept home regions starting with `homeRegionPrefix` from `from` to `until` (inclusive). `''` means everywhere. */
export interface RolloutRule {
  stationRegionPrefix: string;
  homeRegionPrefix: string;
  from: string;
  until?: string;
}

export interface AcceptanceRequest {
  citizen?: { idNumber: string; name: string; homeRegionCode: string; hasFingerprints: boolean };
  presentedName: string;
  blacklisted: boolean;
  appearanceChanged: boolean;
  station: { stationCode: string; regionCode: string };
  rolloutPolicy: readonly RolloutRule[];
  on: string;
  applicationInProgress?: { applicationId: string };
}

export type AcceptanceVerdict = { ok: true } | { ok: false; code: RefusalCode; message: string; applicationId?: string };

export function stationMayAccept(station: { regionCode: string }, homeRegionCode: string, rules: readonly RolloutRule[], on: string): boolean {
  if (regionPrefix(homeRegionCode).startsWith(regionPrefix(station.regionCode)) || station.regionCode === homeRegionCode) return true;
  return rules.some(
    (rule) =>
      station.regionCode.startsWith(rule.stationRegionPrefix) &&
      homeRegionCode.startsWith(rule.homeRegionPrefix) &&
      rule.from <= on &&
      (rule.until === undefined || on <= rule.until),
  );
}

export function checkAcceptance(request: AcceptanceRequest): AcceptanceVerdict {
  const refuse = (code: RefusalCode, applicationId?: string): AcceptanceVerdict => ({ ok: false, code, message: refusalMessages[code], ...(applicationId ? { applicationId } : {}) });
  const { citizen } = request;
  if (!citizen) return refuse('unknown_citizen');
  if (request.presentedName.replace(/\s+/g, '') !== citizen.name.replace(/\s+/g, '')) return refuse('name_mismatch');
  if (request.blacklisted) return refuse('refused_blacklisted');
  if (request.appearanceChanged && !citizen.hasFingerprints) return refuse('refused_no_fingerprints');
  if (!stationMayAccept(request.station, citizen.homeRegionCode, request.rolloutPolicy, request.on)) return refuse('station_not_allowed');
  if (request.applicationInProgress) return refuse('duplicate_application', request.applicationInProgress.applicationId);
  return { ok: true };
}
