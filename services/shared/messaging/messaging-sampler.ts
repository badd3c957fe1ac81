import { statement, type SqlDatabase } from "../db/sql-database";
import type { Logger } from "../logger";
import { PeriodicSampler } from "../runtime/periodic-task";
import type { MessageBus } from "./message-bus.port";
import type { MessagingMetrics } from "./messaging-metrics";

/**
 * The outbox and the dead letters as an operator sees them, without scanning a table that may be
 * full of dead row versions (every outbox row is deleted once sent): pending and parked rows are
 * read through their indexes, whose entries for deleted rows the scans mark dead as they pass,
 * so each sample walks little more than what was written since the last one. The planner is told
 * not to scan the heap instead (set for the sampling transaction only), which stale statistics
 * would make it do.
 */
const SAMPLE = statement(
  "messaging.sample",
  `SELECT
     (SELECT count(*)::int FROM (SELECT 1 FROM outbox WHERE parked_at IS NULL
       ORDER BY id LIMIT 100000) pending) AS backlog,
     (SELECT COALESCE(extract(epoch FROM now() - created_at), 0)::float8 FROM outbox
       WHERE parked_at IS NULL ORDER BY id LIMIT 1) AS oldest,
     (SELECT count(*)::int FROM (SELECT 1 FROM outbox WHERE parked_at IS NOT NULL
       ORDER BY message_key, id LIMIT 100000) parked) AS parked,
     (SELECT count(*)::int FROM dead_letters
       WHERE replayed_at IS NULL AND resolved_at IS NULL) AS waiting`,
);
/** For this transaction only; without JIT, whose compile time the forbidden scans' cost triggers. */
const INDEXES_ONLY = statement(
  "messaging.sample-indexes-only",
  "SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)",
);

interface SampleRow {
  backlog: number;
  oldest: number | null;
  parked: number;
  waiting: number;
}

/** Every `intervalMs`, reads what an operator alerts on from the service's database and bus. */
export function messagingSampler(options: {
  service: string;
  database: SqlDatabase;
  /** The consumer group and its topics, read when sampling (they are known once started). */
  group: string;
  topics: () => readonly string[];
  bus: MessageBus;
  metrics: MessagingMetrics;
  intervalMs: number;
  logger: Logger;
}): PeriodicSampler {
  const { service, database, group, topics, bus, metrics, intervalMs, logger } = options;
  return new PeriodicSampler(
    intervalMs,
    async () => {
      const [[row], lag, busHealthy] = await Promise.all([
        database.transaction(async (sql) => {
          await sql.query(INDEXES_ONLY);
          return sql.query<SampleRow>(SAMPLE);
        }),
        bus.consumerLag(group, topics()).catch(() => []),
        bus.isHealthy(),
      ]);
      metrics.sampled(service, {
        busHealthy,
        group,
        lag,
        outboxBacklog: row!.backlog,
        outboxOldestAgeSeconds: row!.oldest ?? 0,
        outboxParked: row!.parked,
        deadLettersWaiting: row!.waiting,
      });
    },
    (error) => {
      metrics.unavailable(service);
      logger.debug(`Sampling the messaging tables failed: ${error.message}`);
    },
  );
}
