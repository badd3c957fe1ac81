export default async function teardown(): Promise<void> {
  await globalThis.__TEST_POSTGRES__?.stop();
}
