import pg from "pg";
import { ConnectionError, DatabaseError as SequelizeDatabaseError, TimeoutError } from "sequelize";
import { DatabaseConnectionError } from "../db/database-faults";
import { MessageRejectedError } from "./message-rejected.error";

/**
 * What to do about a message whose handling threw (docs/adr/0012):
 * - "transient": the database is unreachable or asked for a retry. Not the message's fault:
 *   retried in place, with backoff, for as long as it takes; never dead-lettered.
 * - "rejected": the handler refused the message (MessageRejectedError). Retrying cannot help:
 *   dead-lettered at once.
 * - "failed": anything else, a bug or a fault of something the handler called. Retried a
 *   bounded number of times, then dead-lettered.
 */
export type FailureClass = "transient" | "rejected" | "failed";

/**
 * SQLSTATEs after which the same statement may well succeed: 08 connection exception (but not
 * 08P01, a protocol violation: a bug), 40001 serialization failure, 40P01 deadlock, 53
 * insufficient resources (too many connections, disk full), 55P03 lock not available, 57014
 * query cancelled (statement timeout), 57P01-57P03 shutdown / cannot connect now, 58 system
 * error (I/O), 25006 read-only transaction (a failover made this server a standby).
 */
const TRANSIENT_STATES = /^(08(?!P01)...|40001|40P01|53...|55P03|57014|57P0[123]|58...|25006)$/;

/** The single place that decides; it looks only at database errors for the transient class. */
export function classifyFailure(error: unknown): FailureClass {
  if (error instanceof MessageRejectedError) return "rejected";
  return isTransientDatabaseFault(error) ? "transient" : "failed";
}

function isTransientDatabaseFault(error: unknown): boolean {
  if (error instanceof DatabaseConnectionError) return true;
  // The read side (Sequelize) wraps node-postgres errors in its own classes.
  if (error instanceof ConnectionError || error instanceof TimeoutError) return true;
  const cause = error instanceof SequelizeDatabaseError ? error.parent : error;
  return cause instanceof pg.DatabaseError && TRANSIENT_STATES.test(cause.code ?? "");
}
