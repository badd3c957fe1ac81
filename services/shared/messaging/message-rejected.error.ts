/**
 * A handler refuses a well-formed message it can never process (e.g. an illegal state change).
 * Retrying cannot help, so it goes to the DLT at once and its transaction is rolled back.
 */
export class MessageRejectedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "MessageRejectedError";
  }
}
