import { Errors } from "moleculer";
import type { DomainError } from "../domain/domain-error";
import type { Result } from "../domain/result";
import { MessageRejectedError } from "../messaging/message-rejected.error";

/**
 * A domain error crossing the broker: its stable code travels as the error `type`, its field
 * details as `data.errors`. The gateway turns the code into an HTTP status, once.
 */
export function toServiceError(error: DomainError): Errors.MoleculerClientError {
  return new Errors.MoleculerClientError(
    error.message,
    422,
    error.code,
    error.details ? { errors: error.details } : undefined,
  );
}

/** For actions: the value, or the domain error thrown as a service error. */
export function unwrapForCaller<T>(result: Result<T, DomainError>): T {
  if (!result.ok) throw toServiceError(result.error);
  return result.value;
}

/** For message handlers: the value, or the domain error as a rejection (straight to the DLT). */
export function unwrapForMessage<T>(result: Result<T, DomainError>): T {
  if (!result.ok) throw new MessageRejectedError(result.error.code, result.error.message);
  return result.value;
}
