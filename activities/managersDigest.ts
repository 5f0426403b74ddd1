import type { Db } from '../db/knex';
import { dueCasesInRegion, queueDigest, regionsWithManagers } from '../db/queries/managersDigest';
import { chinaDateOf } from '../domain';
import { digestDedupeKey, managersDigest } from '../domain/managersDigest';
import type { ManagersDigestInput, ManagersDigestResult } from '../workflows/managersDigestContract';

/** The managers' daily digest's side effect (`workflows/managersDigest.ts`). */
export function createManagersDigestActivities({ db }: { db: Db }) {
  return {
    /**
     * Writes, for every region with active managers, one digest of its overdue cases and those due
     * within `warningDays` at `at` into the outbox, addressed to the region's managers, keyed by
     * region and China date: retried, re-run or triggered again that day, it writes nothing twice.
     * A region with nothing due gets a digest saying so. Each region is its own write, so a retry
     * after a failure part-way goes on where it stopped. Returns counts only (the engine sees them).
     */
    async writeManagersDigests(input: ManagersDigestInput & { at: string }): Promise<ManagersDigestResult> {
      const at = new Date(input.at);
      const date = chinaDateOf(at.getTime());
      const result: ManagersDigestResult = { date, regions: 0, written: 0, overdue: 0, dueSoon: 0 };
      for (const region of await regionsWithManagers(db)) {
        const digest = managersDigest(await dueCasesInRegion(db, region.code, at, input.warningDays), at);
        const written = await queueDigest(db, region, digest, digestDedupeKey(region.code, date), input.warningDays);
        result.regions++;
        if (written) result.written++;
        result.overdue += digest.overdue;
        result.dueSoon += digest.dueSoon;
      }
      return result;
    },
  };
}

export type ManagersDigestActivities = ReturnType<typeof createManagersDigestActivities>;
