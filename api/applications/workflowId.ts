import { createHash } from 'node:crypto';

/**
 * The workflow id of a person's application: derived from the citizen number so the engine refuses
 * a second application in progress anywhere, hashed so the number never shows in engine logs or UIs.
 */
export const applicationWorkflowId = (idNumber: string) =>
  `application-${createHash('sha256').update(`id-cards/application/${idNumber}`).digest('hex').slice(0, 32)}`;
