import { statement, type SqlDatabase } from "../db/sql-database";
import type { Logger } from "../logger";
import { PeriodicTask } from "../runtime/periodic-task";
import type { MessageBus } from "./message-bus.port";
import type { MessagingMetrics } from "./messaging-metrics";

/**
 * One round trip, and no scan of a table that may be large and full of dead rows: the row count
 * comes from PostgreSQL's statistics (exact but for the last second's commits), parked rows and
 * the oldest row from their indexes (the ORDER BY … LIMIT makes the planner use them, whatever
 * its statistics say), dead letters are few.
 */
const SAMPLE = statement(
  "messaging.sample",
  `SELECT
     (SELECT GREATEST(n_live_tup, 0)::int FROM pg_stat_user_tables WHERE relid = 'outbox'::regclass)
       AS rows,
     (SELECT count(*)::int FROM (SELECT 1 FROM outbox WHERE parked_at IS NOT NULL
       ORDER BY message_key, id LIMIT 100000) parked) AS parked,
     (SELECT COALESCE(extract(epoch FROM now() - created_at), 0)::float8 FROM outbox
       WHERE parked_at IS NULL ORDER BY id LIMIT 1) AS oldest,
     (SELECT count(*)::int FROM dead_letters WHERE replayed_at IS NULL) AS waiting`,
);

interface SampleRow {
  rows: number;
  oldest: number | null;
  parked: number;
  waiting: number;
}

/** Every `intervalMs`, reads what an operator alerts on from the service's database. */
export class MessagingSampler {
  private readonly task: PeriodicTask;

  constructor(
    private readonly options: {
      service: string;
      database: SqlDatabase;
      /** The consumer group and its topics, read when sampling (they are known once started). */
      group: string;
      topics: () => readonly string[];
      bus: MessageBus;
      metrics: MessagingMetrics;
      intervalMs: number;
      logger: Logger;
    },
  ) {
    this.task = new PeriodicTask(options.intervalMs, () => this.sample());
  }

  start(): void {
    this.task.start({ now: true });
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  private async sample(): Promise<void> {
    const { service, database, metrics, logger, group, topics, bus } = this.options;
    try {
      const [[row], lag, busHealthy] = await Promise.all([
        database.query<SampleRow>(SAMPLE),
        bus.consumerLag(group, topics()).catch(() => []),
        bus.isHealthy(),
      ]);
      metrics.sampled(service, {
        busHealthy,
        group,
        lag,
        outboxBacklog: Math.max(row!.rows - row!.parked, 0),
        outboxOldestAgeSeconds: row!.oldest ?? 0,
        outboxParked: row!.parked,
        deadLettersWaiting: row!.waiting,
      });
    } catch (error) {
      metrics.unavailable(service);
      logger.debug(`Sampling the messaging tables failed: ${(error as Error).message}`);
    }
  }
}
