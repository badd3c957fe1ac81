import { statement, type SqlDatabase } from "../db/sql-database";
import type { Logger } from "../logger";
import { PeriodicTask } from "../runtime/periodic-task";
import type { MessageBus } from "./message-bus.port";
import type { MessagingMetrics } from "./messaging-metrics";

/** One round trip: the outbox (every row in it is still to be sent) and the dead letters. */
const SAMPLE = statement(
  "messaging.sample",
  `SELECT
     count(*) FILTER (WHERE parked_at IS NULL)::int AS backlog,
     COALESCE(extract(epoch FROM now() - min(created_at) FILTER (WHERE parked_at IS NULL)), 0)::float8
       AS oldest,
     count(*) FILTER (WHERE parked_at IS NOT NULL)::int AS parked,
     (SELECT count(*)::int FROM dead_letters WHERE replayed_at IS NULL) AS waiting
   FROM outbox`,
);

interface SampleRow {
  backlog: number;
  oldest: number;
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
        outboxBacklog: row!.backlog,
        outboxOldestAgeSeconds: row!.oldest,
        outboxParked: row!.parked,
        deadLettersWaiting: row!.waiting,
      });
    } catch (error) {
      metrics.unavailable(service);
      logger.debug(`Sampling the messaging tables failed: ${(error as Error).message}`);
    }
  }
}
