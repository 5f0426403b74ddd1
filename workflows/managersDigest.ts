import { proxyActivities } from '@temporalio/workflow';
import type { ManagersDigestActivities } from '../activities/managersDigest';
import type { ManagersDigestInput, ManagersDigestResult } from './managersDigestContract';

const { writeManagersDigests } = proxyActivities<ManagersDigestActivities>({
  // One query and one insert per region: minutes at most, even for every region of the country.
  startToCloseTimeout: '10 minutes',
  // The database may be away for a while; the run keeps trying until its execution timeout (set by the schedule).
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/**
 * The managers' daily digest, started by the `managers-daily-digest` schedule (`worker/managersDigestSchedule.ts`):
 * one activity writes every region's digest for the day of the run's start, as of that instant.
 */
export async function managersDigestWorkflow(input: ManagersDigestInput): Promise<ManagersDigestResult> {
  // The workflow's clock is replay-safe: the run's "now" is the same on every replay and every retry.
  return writeManagersDigests({ warningDays: input.warningDays, at: new Date().toISOString() });
}
