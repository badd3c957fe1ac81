/** Exponential backoff: base, 2×base, 4×base … capped at `max`. `attempt` counts from 1. */
export function backoffDelay(
  attempt: number,
  base: number,
  max = Number.POSITIVE_INFINITY,
): number {
  return Math.min(base * 2 ** (attempt - 1), max);
}

export const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until `work` has settled or `ms` have passed, whichever comes first; never rejects. The
 * timer does not keep the process alive: a shutdown is bounded by it, never held by it.
 */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  const ignore = () => undefined;
  await Promise.race([
    work.then(ignore, ignore),
    new Promise((resolve) => setTimeout(resolve, ms).unref()),
  ]);
}
