import { statement, type SqlExecutor } from "../db/sql-database";
import type { Logger } from "../logger";
import { PeriodicTask } from "../runtime/periodic-task";
import { delay } from "./backoff";

export interface RetentionOptions {
  database: SqlExecutor;
  /**
   * Inbox ids older than this are forgotten. Keep it longer than any redelivery can come late
   * (Kafka keeps records 7 days by default): a record redelivered after its id is gone would run
   * again.
   */
  inboxDays: number;
  /** Dead letters replayed longer ago than this are deleted; unresolved ones are kept. */
  deadLetterDays: number;
  intervalMs: number;
  logger: Logger;
}

/** Rows per DELETE: short statements, short locks, and the hot path barely notices. */
const BATCH = 1_000;
/** Pause between two batches of one run. */
const PAUSE_MS = 50;

/** Found through the BRIN index on processed_at; deleted by physical address, no second lookup. */
const PRUNE_INBOX = statement(
  "retention.inbox",
  `DELETE FROM inbox WHERE ctid = ANY(ARRAY(
     SELECT ctid FROM inbox WHERE processed_at < now() - make_interval(days => $1) LIMIT $2))
   RETURNING 1`,
);
const PRUNE_DEAD_LETTERS = statement(
  "retention.dead-letters",
  `DELETE FROM dead_letters WHERE id = ANY(ARRAY(
     SELECT id FROM dead_letters
     WHERE COALESCE(resolved_at, replayed_at) < now() - make_interval(days => $1) LIMIT $2))
   RETURNING 1`,
);

/**
 * Keeps a service's messaging tables from growing forever. (The outbox needs nothing: a row is
 * deleted once published.) Runs every `intervalMs`, in small batches.
 */
export class MessagingRetention {
  private readonly task: PeriodicTask;

  constructor(private readonly options: RetentionOptions) {
    this.task = new PeriodicTask(options.intervalMs, () =>
      this.runOnce().then(
        () => undefined,
        (error: Error) => options.logger.warn(`Pruning messaging tables failed: ${error.message}`),
      ),
    );
  }

  start(): void {
    this.task.start();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  /** One pass over both tables; returns how many rows each lost. */
  async runOnce(): Promise<{ inbox: number; deadLetters: number }> {
    const inbox = await this.prune(PRUNE_INBOX, this.options.inboxDays);
    const deadLetters = await this.prune(PRUNE_DEAD_LETTERS, this.options.deadLetterDays);
    if (inbox + deadLetters > 0)
      this.options.logger.info(
        `Pruned ${inbox} inbox id(s) and ${deadLetters} replayed dead letter(s)`,
      );
    return { inbox, deadLetters };
  }

  private async prune(sql: typeof PRUNE_INBOX, days: number): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = (await this.options.database.query(sql, [days, BATCH])).length;
      total += deleted;
      if (deleted < BATCH) return total;
      await delay(PAUSE_MS);
    }
  }
}
