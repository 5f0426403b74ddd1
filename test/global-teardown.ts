export default async function globalTeardown(): Promise<void> {
  const cluster = (globalThis as { __testCluster?: { stop(): Promise<void> } }).__testCluster;
  await cluster?.stop();
}
