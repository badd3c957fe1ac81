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
