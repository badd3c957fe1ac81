import { randomUUID } from "node:crypto";
import { statement, type SqlExecutor } from "../../shared/db/sql-database";
import type { Logger } from "../../shared/logger";
import { withTrace } from "../../shared/messaging/message-context";
import {
  endingSpans,
  NO_MESSAGE_TRACING,
  type MessageTracing,
  type OpenSpan,
} from "../../shared/messaging/message-tracing";
import { parseTraceparent } from "../../shared/messaging/trace-context";
import { PeriodicTask } from "../../shared/runtime/periodic-task";

/**
 * Sagas past their deadline, oldest first. SKIP LOCKED: several saga nodes sweep at once without
 * waiting on each other, and a saga a consumer is changing right now is left to it.
 */
const DUE = statement(
  "saga.due",
  `SELECT order_id, trace_parent FROM order_sagas WHERE deadline_at <= now()
   ORDER BY deadline_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
);

/** A saga past its deadline; `inTrace` runs its move as a span of the order's trace. */
export interface DueSaga {
  orderId: string;
  inTrace<T>(work: () => Promise<T>): Promise<T>;
}

export interface SagaSweeperOptions {
  /**
   * Moves the due sagas inside one transaction (the caller's unit of work); `due` finds and
   * locks them on that transaction. Resolves to how many there were.
   */
  sweep: (due: (sql: SqlExecutor) => Promise<DueSaga[]>, causationId: string) => Promise<number>;
  batchSize: number;
  intervalMs: number;
  logger: Logger;
  /** A span per saga moved, continuing the trace of the span that last moved it. */
  tracing?: MessageTracing;
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
    const { batchSize, logger } = this.options;
    try {
      for (;;) {
        const swept = await this.sweepOnce();
        if (swept > 0) logger.info(`Moved ${swept} saga(s) past their deadline`);
        if (swept < batchSize || !this.task.active) return;
      }
    } catch (error) {
      logger.warn(`Sweeping saga deadlines failed: ${(error as Error).message}`);
    }
  }

  /** One transaction's worth; each saga's span ends with the transaction. */
  private async sweepOnce(): Promise<number> {
    const { sweep, batchSize, tracing = NO_MESSAGE_TRACING } = this.options;
    const spans: OpenSpan[] = [];
    const due = async (sql: SqlExecutor): Promise<DueSaga[]> => {
      const rows = await sql.query<{ order_id: string; trace_parent: string | null }>(DUE, [
        batchSize,
      ]);
      return rows.map((row) => {
        const span = tracing.start("saga deadline passed", {
          parent: parseTraceparent(row.trace_parent),
          service: "saga",
          kind: "INTERNAL",
          tags: { orderId: row.order_id },
        });
        spans.push(span);
        return { orderId: row.order_id, inTrace: (work) => withTrace(span.context, work) };
      });
    };
    return endingSpans(spans, () => sweep(due, `deadline-sweep-${randomUUID()}`));
  }
}
