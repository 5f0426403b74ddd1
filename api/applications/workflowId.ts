import { createHash } from 'node:crypto';
import { WithStartWorkflowOperation } from '@temporalio/client';
import type { applicationWorkflow } from '../../workflows';
import { APPLICATION_WORKFLOW, taskQueues, type ApplicationInput } from '../../workflows/contract';
import { searchAttributesAtStart } from '../../workflows/searchAttributes';

/**
 * The workflow id of a person's application: derived from the citizen number so the engine refuses
 * a second application in progress anywhere, hashed so the number never shows in engine logs or UIs.
 */
export const applicationWorkflowId = (idNumber: string) =>
  `application-${createHash('sha256').update(`id-cards/application/${idNumber}`).digest('hex').slice(0, 32)}`;

/**
 * The start of a person's application run, to go with its `accepted` update in one engine call
 * (update-with-start): at a counter and in the go-live import alike. A run already open for the
 * person fails the start (one application in progress per person).
 */
export function applicationStart(idNumber: string, input: ApplicationInput, taskQueuePrefix: string): WithStartWorkflowOperation<typeof applicationWorkflow> {
  return new WithStartWorkflowOperation<typeof applicationWorkflow>(APPLICATION_WORKFLOW, {
    workflowId: applicationWorkflowId(idNumber),
    taskQueue: taskQueues.applications(taskQueuePrefix),
    args: [input],
    // Stage, stations and deadline for operators' lists (no personal data): workflows/searchAttributes.ts.
    typedSearchAttributes: searchAttributesAtStart(input),
    workflowIdConflictPolicy: 'FAIL',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
}
