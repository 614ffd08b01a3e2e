/** Jest global teardown: stops the Mongo-wire server the setup started (if it started one). */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__E2E_MONGO__?.stop();
}
