import { randomUUID } from "node:crypto";
import { statement, type SqlExecutor } from "../../shared/db/sql-database";
import type { Logger } from "../../shared/logger";
import { PeriodicTask } from "../../shared/runtime/periodic-task";

/**
 * Sagas past their deadline, oldest first. SKIP LOCKED: several saga nodes sweep at once without
 * waiting on each other, and a saga a consumer is changing right now is left to it.
 */
const DUE = statement(
  "saga.due",
  `SELECT order_id FROM order_sagas WHERE deadline_at <= now()
   ORDER BY deadline_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
);

export interface SagaSweeperOptions {
  /**
   * Runs `pass` for the due sagas inside one transaction (the caller's unit of work); `due`
   * finds and locks them on that transaction. Resolves to how many there were.
   */
  sweep: (due: (sql: SqlExecutor) => Promise<string[]>, causationId: string) => Promise<number>;
  batchSize: number;
  intervalMs: number;
  logger: Logger;
}

/** Every `intervalMs`, moves the sagas whose deadline has passed (AdvanceSagaHandler with the trigger DeadlinePassed). */
export class SagaSweeper {
  private readonly task: PeriodicTask;

  constructor(private readonly options: SagaSweeperOptions) {
    this.task = new PeriodicTask(options.intervalMs, () => this.sweepAll());
  }

  start(): void {
    this.task.start();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  private async sweepAll(): Promise<void> {
    const { sweep, batchSize, logger } = this.options;
    const due = async (sql: SqlExecutor) =>
      (await sql.query<{ order_id: string }>(DUE, [batchSize])).map((row) => row.order_id);
    try {
      for (;;) {
        const swept = await sweep(due, `deadline-sweep-${randomUUID()}`);
        if (swept > 0) logger.info(`Moved ${swept} saga(s) past their deadline`);
        if (swept < batchSize || !this.task.active) return;
      }
    } catch (error) {
      logger.warn(`Sweeping saga deadlines failed: ${(error as Error).message}`);
    }
  }
}
