import pg from "pg";
import type { Logger } from "../logger";
import { asDatabaseFault } from "./database-faults";
import "./pg-types";

/** node-postgres' connection failures become DatabaseConnectionError (database-faults.ts). */
const fault = (error: unknown): never => {
  throw asDatabaseFault(error);
};

/**
 * A statement the hot path runs many times. Its name makes node-postgres prepare it once per
 * connection and then send only the values: no re-parse, no re-plan. The text must not vary
 * with the number of rows, so multi-row statements take their rows as one JSON parameter
 * (`json_to_recordset`) or arrays (`= ANY($1)`), never as a growing VALUES list.
 */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

export function statement(name: string, text: string): Statement {
  return { name, text };
}

/** Runs SQL on a pool or inside one transaction: repositories do not need to know which. */
export interface SqlExecutor {
  query<Row extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: Statement | string,
    values?: readonly unknown[],
  ): Promise<Row[]>;
}

const toConfig = (sql: Statement | string, values: readonly unknown[] = []) =>
  typeof sql === "string"
    ? { text: sql, values: values as unknown[] }
    : { name: sql.name, text: sql.text, values: values as unknown[] };

export interface SqlDatabaseOptions {
  /** Connections for the write side: consumer batches, the relay, HTTP commands. */
  poolMax: number;
  logger: Logger;
  /**
   * false: commits do not wait for the WAL flush. Only for data that is not ours to keep (the
   * simulated payment provider's books); never for a service's own state.
   */
  durableCommits?: boolean;
}

/**
 * The write side of a service's database: plain node-postgres with prepared statements.
 * Sequelize (and moleculer-db) stay on the read side and in migrations, where their per-query
 * cost does not matter; on the hot path that cost was three quarters of the CPU (ADR 0007).
 */
export class SqlDatabase implements SqlExecutor {
  private readonly pool: pg.Pool;

  constructor(url: string, options: SqlDatabaseOptions) {
    this.pool = new pg.Pool({
      connectionString: url,
      // A transaction's statements that do not depend on each other travel together (see
      // `transaction`): a consumer batch costs two round trips instead of five.
      pipeline: true,
      max: options.poolMax,
      idleTimeoutMillis: 10_000,
      // Without a limit a request would wait forever for a connection while the server is down.
      connectionTimeoutMillis: 10_000,
      // Every statement of the write path is a key lookup or an insert. A plan is made once per
      // connection and reused, and one made while a table was still empty (a fresh deployment)
      // chose to scan it whole, forever after: a payment lookup for 50 orders read 5,000 blocks.
      // Without sequential scans to choose from, a plan made at any size probes the index, so
      // the generic plan is safe to reuse (planning each execution cost a fifth of the server's
      // CPU). The read side (Sequelize, its own pool) plans as usual.
      options: [
        "-c enable_seqscan=off -c plan_cache_mode=force_generic_plan",
        options.durableCommits === false ? "-c synchronous_commit=off" : "",
      ].join(" "),
    });
    // An idle connection that dies (server restart) is reported here; the pool replaces it.
    this.pool.on("error", (error) =>
      options.logger.warn(`Idle database connection lost: ${error.message}`),
    );
  }

  async query<Row extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: Statement | string,
    values?: readonly unknown[],
  ): Promise<Row[]> {
    return (await this.pool.query<Row>(toConfig(sql, values)).catch(fault)).rows;
  }

  /**
   * Runs `body` in one transaction on one connection, then `tail`, and commits. BEGIN is not
   * awaited: it is pipelined with the body's first statements. `tail`'s statement (a unit of
   * work's flush) is pipelined with the COMMIT. If anything fails the transaction rolls back (a
   * COMMIT behind a failed statement ends it as a ROLLBACK) and the error is thrown.
   */
  async transaction<T, R = T>(
    body: (sql: SqlExecutor) => Promise<T>,
    tail: (sql: SqlExecutor, value: T) => Promise<R> = async (_sql, value) => value as unknown as R,
  ): Promise<R> {
    const client = await this.pool.connect().catch(fault);
    // A checked-out client whose connection dies emits 'error'; the pool listens only to idle
    // ones, and an unheard 'error' event kills the process (seen: connections cut mid-batch).
    // The statement in flight fails with the same error, which is what the caller handles.
    const ignore = () => undefined;
    client.on("error", ignore);
    const sql: SqlExecutor = {
      query: async (text, values) => (await client.query(toConfig(text, values)).catch(fault)).rows,
    };
    const sent: Promise<unknown>[] = [];
    const send = (command: string) => {
      const reply = client.query(command).catch(fault);
      reply.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
      sent.push(reply);
    };
    let broken: Error | undefined;
    try {
      send("BEGIN");
      const ending = tail(sql, await body(sql));
      send("COMMIT");
      const [result] = await Promise.all([ending, ...sent]);
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      // A connection that could not even roll back is discarded, not handed to the next caller.
      client.removeListener("error", ignore);
      client.release(broken);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * One statement that writes several tables: each part is a data-modifying CTE (all of them run,
 * on the statement's one snapshot, and constraints are checked at its end), so a unit of work
 * flushes a whole batch in one round trip. The last part inserts the outbox rows; the statement
 * returns their ids, which the relay is given after the commit (it claims them by key instead
 * of searching the outbox for them).
 */
export function flushStatement(name: string, state: readonly string[], outbox: string): Statement {
  const ctes = state.map((part, index) => `w${index} AS (${part})`);
  ctes.push(`outbox AS (${outbox} RETURNING id)`);
  return statement(name, `WITH ${ctes.join(",\n")}\nSELECT id FROM outbox`);
}
