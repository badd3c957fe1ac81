import type { Result } from "../../../services/shared/domain/result";

/** The success value; fails the test with the error when the result is a failure. */
export function unwrap<T, E>(result: Result<T, E>): T {
  if (!result.ok) throw new Error(`expected success, got failure: ${String(result.error)}`);
  return result.value;
}

/** The failure; fails the test with the value when the result is a success. */
export function unwrapError<T, E>(result: Result<T, E>): E {
  if (result.ok) throw new Error(`expected failure, got success: ${JSON.stringify(result.value)}`);
  return result.error;
}
