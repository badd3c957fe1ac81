/**
 * A broken business rule. `code` is a stable string: it survives crossing a process boundary
 * (instanceof does not) and is what the gateway maps to an HTTP status.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, string>,
  ) {
    super(message);
    this.name = "DomainError";
  }
}
