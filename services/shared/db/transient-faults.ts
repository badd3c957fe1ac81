import { ConnectionError, DatabaseError, TimeoutError } from "sequelize";

/**
 * SQLSTATEs that mean "the database is not there right now", not "this message is bad":
 * class 08 (connection exception), 53300 too many connections, 57P01-57P03 shutdown/starting.
 */
const UNAVAILABLE_STATES = [/^08/, /^53300$/, /^57P0[123]$/];
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * What node-postgres says, with no code, when no connection could be had in time (the pool) or
 * the one in use died (the server went away mid-statement). Sequelize wrapped these in its
 * ConnectionError; the write path, on plain node-postgres, sees them as they are.
 */
const UNAVAILABLE_MESSAGES = [
  /^timeout exceeded when trying to connect$/,
  /^Connection terminated( unexpectedly)?$/,
  /^Client has encountered a connection error and is not queryable$/,
];

/**
 * True when an error says the service's own database is unreachable. A consumer then leaves the
 * record to the bus to redeliver later, instead of spending its retries and dead-lettering a
 * message that was fine all along.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof ConnectionError || error instanceof TimeoutError) return true;
  const cause = error instanceof DatabaseError ? error.parent : error;
  const { code, message } = (cause ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === "string")
    return NETWORK_CODES.has(code) || UNAVAILABLE_STATES.some((state) => state.test(code));
  return typeof message === "string" && UNAVAILABLE_MESSAGES.some((text) => text.test(message));
}
