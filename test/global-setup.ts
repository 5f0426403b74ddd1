// Placeholder replaced by the foundation work: starts a throw-away PostgreSQL for the whole run.
export default async function globalSetup(): Promise<void> {}
