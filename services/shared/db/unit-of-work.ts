import type { SqlDatabase, SqlExecutor } from "./sql-database";

/**
 * Everything one transaction of a bounded context reads and changes, written at once.
 *
 * A consumer batch runs many messages in one transaction: the unit of work loads (and locks)
 * every aggregate they touch in one query (`prefetch`), keeps them in an identity map so the
 * second message about an order sees what the first one did, buffers what the handlers change,
 * and writes it all in one statement (`flush`): the state, the history and the outbox, in the
 * same transaction. A batch then costs a few round trips, not a few per message.
 */
export interface UnitOfWork {
  /** Loads and locks the aggregates of these orders (every business message is keyed by orderId). */
  prefetch(orderIds: readonly string[]): Promise<void>;
  /**
   * Writes the buffered changes and their outbox messages. Returns the ids of every outbox row
   * this unit of work wrote, for the relay to publish once the transaction has committed.
   */
  flush(): Promise<number[]>;
  /** Called once the transaction has committed (never after a rollback): report what it did. */
  committed?(): void;
}

export type UnitOfWorkFactory<W extends UnitOfWork> = (sql: SqlExecutor) => W;

export interface UnitOfWorkOptions {
  /**
   * false: no BEGIN/COMMIT around the work; each statement commits on its own. Only for work
   * that writes with a single statement (placing an order: the order, its lines and its message
   * in one), where the explicit transaction would only add two round trips.
   */
  transaction?: boolean;
}

/** What a committed unit of work produced: the work's result and the outbox rows it wrote. */
export interface Committed<T> {
  value: T;
  outboxIds: number[];
}

/**
 * One transaction around one unit of work: `work` runs, the unit flushes (its statement
 * pipelined with the COMMIT), the transaction commits.
 */
export async function inUnitOfWork<W extends UnitOfWork, T>(
  database: SqlDatabase,
  open: UnitOfWorkFactory<W>,
  work: (unit: W, sql: SqlExecutor) => Promise<T>,
  { transaction = true }: UnitOfWorkOptions = {},
): Promise<Committed<T>> {
  if (!transaction) {
    const unit = open(database);
    const value = await work(unit, database);
    const outboxIds = await unit.flush();
    unit.committed?.();
    return { value, outboxIds };
  }
  let unit: W | undefined;
  const committed = await database.transaction(
    (sql) => work((unit = open(sql)), sql),
    async (_sql, value) => ({ value, outboxIds: await unit!.flush() }),
  );
  unit?.committed?.();
  return committed;
}
