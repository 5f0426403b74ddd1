/**
 * Why someone is on the blacklist of dishonest persons (不诚信人员黑名单), after the refusals in
 * docs/domain.md: forging, altering, buying or selling, impersonating or fraudulently using identity
 * documents; using fake certificates; listed by the national credit-information platform.
 */
export const BLACKLIST_CATEGORIES = ['FORGERY', 'ALTERATION', 'TRADING', 'IMPERSONATION', 'FRAUDULENT_USE', 'FAKE_CERTIFICATE', 'CREDIT_PLATFORM'] as const;
export type BlacklistCategory = (typeof BLACKLIST_CATEGORIES)[number];
