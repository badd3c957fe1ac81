import pg from "pg";

/**
 * node-postgres reports a lost or unobtainable connection as a plain Node error: a socket code,
 * or one of these messages (no code) when no connection could be had in time (the pool) or the
 * one in use died mid-statement. SqlDatabase wraps exactly these, from its own calls, in
 * DatabaseConnectionError, so that a socket error from anywhere else (a payment provider, an
 * HTTP call) is never taken for "the database is down".
 */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
]);
const CONNECTION_MESSAGES = [
  /^timeout exceeded when trying to connect$/,
  /^Connection terminated( unexpectedly| due to connection timeout)?$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Cannot use a pool after calling end on the pool$/,
];

/** The service's own database could not be reached, or the connection in use was lost. */
export class DatabaseConnectionError extends Error {
  constructor(cause: Error) {
    super(`database connection failed: ${cause.message}`, { cause });
    this.name = "DatabaseConnectionError";
  }
}

/** What SqlDatabase throws for an error of node-postgres: connection failures wrapped, the rest as is. */
export function asDatabaseFault(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof pg.DatabaseError) return error;
  const { code } = error as { code?: unknown };
  const lost =
    (typeof code === "string" && CONNECTION_CODES.has(code)) ||
    CONNECTION_MESSAGES.some((text) => text.test(error.message));
  return lost ? new DatabaseConnectionError(error) : error;
}
