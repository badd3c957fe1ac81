/**
 * Waits for an observable condition instead of sleeping: calls `probe` until it returns without
 * throwing, and fails with the probe's last error after `timeoutMs`.
 */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
