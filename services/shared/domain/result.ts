/**
 * Expected failures are values, not exceptions: a use case returns `Result` so the caller must
 * look at the failure. Bugs and infrastructure faults are still thrown.
 */
export type Result<T, E> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });
