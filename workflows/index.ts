/** Every workflow the worker runs: this file is the worker's `workflowsPath`. */
export { applicationWorkflow } from './application';
export { managersDigestWorkflow } from './managersDigest';
