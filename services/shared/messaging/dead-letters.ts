import { deadLetterTopicOf } from "../../../contracts";
import type { SqlDatabase, SqlExecutor } from "../db/sql-database";
import type { Logger } from "../logger";
import { describeRecord, type IncomingRecord, type MessageBus } from "./message-bus.port";
import { NO_MESSAGING_METRICS, type MessagingMetrics } from "./messaging-metrics";

/** The error code of an operator action that names no dead letter of this service. */
export const DEAD_LETTER_NOT_FOUND = "DEAD_LETTER_NOT_FOUND";
/** The error code of a replay of a dead letter an operator has resolved: it is closed. */
export const DEAD_LETTER_RESOLVED = "DEAD_LETTER_RESOLVED";

export interface DeadLetter {
  code: string;
  message: string;
  attempts: number;
}

/** open: not resolved (replayed or not); resolved: closed by an operator; all: both. */
export type DeadLetterState = "open" | "resolved" | "all";
export const DEAD_LETTER_STATES: readonly DeadLetterState[] = ["open", "resolved", "all"];

export interface DeadLetterQuery {
  limit: number;
  topic?: string;
  /** Default: open. */
  state?: DeadLetterState;
}

export interface DeadLetterRow {
  id: number;
  consumerGroup: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  key: string | null;
  /** The original bytes as UTF-8 text. */
  value: string | null;
  /** The record's own headers and the `dlt-*` error headers of its DLT record. */
  headers: Record<string, string>;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  /** ISO-8601 timestamps. */
  failedAt: string;
  replayedAt: string | null;
  /** Who replayed it last. */
  replayedBy: string | null;
  replayCount: number;
  resolvedAt: string | null;
  resolvedBy: string | null;
  /** The resolver's note. */
  resolution: string | null;
}

/** A replay: sent back to its source topic, refused (resolved), or no such dead letter (null). */
export type ReplayOutcome = { sourceTopic: string } | "resolved" | null;

/** Most records a topic's replay publishes in one call (and marks in one transaction). */
const REPLAY_BATCH = 500;

/** Header names on `<topic>.DLT` records: why it failed and where it came from. */
export const DLT_HEADERS = {
  errorCode: "dlt-error-code",
  errorMessage: "dlt-error-message",
  sourceTopic: "dlt-source-topic",
  sourcePartition: "dlt-source-partition",
  sourceOffset: "dlt-source-offset",
  consumerGroup: "dlt-consumer-group",
  attempts: "dlt-attempts",
  failedAt: "dlt-failed-at",
} as const;

type DltFields = Pick<
  DeadLetterRow,
  | "errorCode"
  | "errorMessage"
  | "sourceTopic"
  | "sourcePartition"
  | "sourceOffset"
  | "consumerGroup"
  | "attempts"
  | "failedAt"
>;

/** The error headers of a DLT record, for the record published and for a listed row alike. */
function dltHeadersOf(fields: DltFields): Record<string, string> {
  return {
    [DLT_HEADERS.errorCode]: fields.errorCode,
    [DLT_HEADERS.errorMessage]: fields.errorMessage.slice(0, 1000),
    [DLT_HEADERS.sourceTopic]: fields.sourceTopic,
    [DLT_HEADERS.sourcePartition]: String(fields.sourcePartition),
    [DLT_HEADERS.sourceOffset]: fields.sourceOffset,
    [DLT_HEADERS.consumerGroup]: fields.consumerGroup,
    [DLT_HEADERS.attempts]: String(fields.attempts),
    [DLT_HEADERS.failedAt]: fields.failedAt,
  };
}

/**
 * Parks a message that cannot be processed: a row in the service's `dead_letters` table (to list
 * and replay) and a record on `<topic>.DLT` with error headers (for any other tooling). The
 * original bytes are kept as they arrived. The row is the dead letter: if the DLT record cannot
 * be published (the record plus its headers too large, the topic gone, the broker down), the row
 * keeps why (`dlt_error`) and the consumer moves on, instead of redelivering the record forever.
 * Operators list, replay and resolve dead letters; each action is logged (info) with who acted:
 * the services pass their logger, so that audit line is always written.
 */
export class DeadLetterStore {
  constructor(
    private readonly sql: SqlDatabase,
    private readonly bus: MessageBus,
    private readonly consumerGroup: string,
    private readonly logger?: Logger,
    private readonly metrics: MessagingMetrics = NO_MESSAGING_METRICS,
  ) {}

  async park(record: IncomingRecord, failure: DeadLetter): Promise<void> {
    const failedAt = new Date().toISOString();
    const headers = {
      ...record.headers,
      ...dltHeadersOf({
        errorCode: failure.code,
        errorMessage: failure.message,
        sourceTopic: record.topic,
        sourcePartition: record.partition,
        sourceOffset: record.offset,
        consumerGroup: this.consumerGroup,
        attempts: failure.attempts,
        failedAt,
      }),
    };
    const inserted = await this.sql.query(
      `INSERT INTO dead_letters (consumer_group, source_topic, source_partition, source_offset, message_key,
         value, headers, error_code, error_message, attempts, failed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11)
       ON CONFLICT (consumer_group, source_topic, source_partition, source_offset) DO NOTHING
       RETURNING id`,
      [
        this.consumerGroup,
        record.topic,
        record.partition,
        record.offset,
        record.key === null ? null : withoutNul(record.key),
        record.value,
        // PostgreSQL text and jsonb cannot hold NUL; the DLT record keeps the originals.
        JSON.stringify(
          Object.fromEntries(
            Object.entries(record.headers).map(([name, value]) => [
              withoutNul(name),
              withoutNul(value),
            ]),
          ),
        ),
        failure.code,
        withoutNul(failure.message.slice(0, 4000)),
        failure.attempts,
        failedAt,
      ],
    );
    // A record delivered again after it was parked is the same dead letter: counted once.
    if (inserted.length > 0)
      this.metrics.deadLettered(this.consumerGroup, record.topic, failure.code);
    try {
      await this.bus.publish([
        {
          topic: deadLetterTopicOf(record.topic),
          key: record.key,
          value: record.value ?? Buffer.alloc(0),
          headers,
        },
      ]);
    } catch (error) {
      const reason = (error as Error).message;
      this.logger?.error(
        `Dead letter ${describeRecord(record)} is kept in dead_letters only: its DLT record could not be published: ${reason}`,
      );
      await this.sql.query(
        `UPDATE dead_letters SET dlt_error = $5
         WHERE consumer_group = $1 AND source_topic = $2 AND source_partition = $3
           AND source_offset = $4`,
        [this.consumerGroup, record.topic, record.partition, record.offset, reason.slice(0, 1000)],
      );
    }
  }

  /** Newest first; the open ones unless `state` says otherwise. */
  async list({ limit, topic, state = "open" }: DeadLetterQuery): Promise<DeadLetterRow[]> {
    const values: unknown[] = [limit];
    const where: string[] = [];
    if (topic !== undefined) where.push(`source_topic = $${values.push(topic)}`);
    if (state !== "all") where.push(`resolved_at IS ${state === "open" ? "" : "NOT "}NULL`);
    const rows = await this.sql.query<StoredDeadLetter>(
      `SELECT ${COLUMNS} FROM dead_letters
       ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY id DESC LIMIT $1`,
      values,
    );
    return rows.map(toRow);
  }

  /**
   * Sends the original bytes back to their source topic, e.g. after a fix was deployed. The row
   * stays locked while it is published, so a concurrent resolve waits for it (and a resolved one
   * is never sent). A replayed record that fails again is parked as a new row: it came back at a
   * new offset, so park's ON CONFLICT (group, topic, partition, offset) does not fold it into this one.
   */
  async replay(id: number, by: string): Promise<ReplayOutcome> {
    const row = await this.sql.transaction(async (sql) => {
      const [found] = await sql.query<ReplayedRow & { resolved: boolean }>(
        `SELECT id, source_topic AS "sourceTopic", message_key AS "key", value,
           resolved_at IS NOT NULL AS resolved
         FROM dead_letters WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (found && !found.resolved) await this.sendBack(sql, [found], by);
      return found;
    });
    if (!row) return null;
    if (row.resolved) {
      this.logger?.info(
        `dead letter ${id} (${row.sourceTopic}) is resolved: replay by ${by} refused`,
      );
      return "resolved";
    }
    this.metrics.replayed(this.consumerGroup, row.sourceTopic);
    this.logger?.info(`dead letter ${id} (${row.sourceTopic}) replayed by ${by}`);
    return { sourceTopic: row.sourceTopic };
  }

  /**
   * Replays the open dead letters of a topic not replayed yet, oldest first, in batches. One that
   * was replayed already is left out: if it failed again, its new row is replayed instead (both
   * would send the record twice); if it did not, it needs no second delivery. Rows parked while
   * this runs (records of this replay failing again) are not picked up: the run stops at the
   * newest row it saw at its start.
   */
  async replayTopic(topic: string, by: string): Promise<{ replayed: number }> {
    const [bound] = await this.sql.query<{ last: number | null }>(
      "SELECT max(id) AS last FROM dead_letters WHERE source_topic = $1",
      [topic],
    );
    let replayed = 0;
    for (;;) {
      const ids = await this.sql.transaction(async (sql) => {
        // SKIP LOCKED: a letter another operator is replaying right now is theirs to send.
        const rows = await sql.query<ReplayedRow>(
          `SELECT id, source_topic AS "sourceTopic", message_key AS "key", value FROM dead_letters
           WHERE source_topic = $1 AND id <= $2 AND resolved_at IS NULL AND replayed_at IS NULL
           ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
          [topic, bound?.last ?? 0, REPLAY_BATCH],
        );
        if (rows.length > 0) await this.sendBack(sql, rows, by);
        return rows.map((row) => row.id);
      });
      if (ids.length === 0) break;
      replayed += ids.length;
      ids.forEach(() => this.metrics.replayed(this.consumerGroup, topic));
      this.logger?.info(`dead letters ${ids.join(", ")} (${topic}) replayed by ${by}`);
      if (ids.length < REPLAY_BATCH) break;
    }
    if (replayed === 0) this.logger?.info(`no dead letter of ${topic} to replay for ${by}`);
    return { replayed };
  }

  /**
   * Sends locked rows back to their source topics, as they arrived, and records the replay, in
   * the caller's transaction: a row is marked replayed only once the bus has taken it.
   */
  private async sendBack(sql: SqlExecutor, rows: readonly ReplayedRow[], by: string) {
    await this.bus.publish(rows.map(replayRecord));
    await sql.query(MARK_REPLAYED, [rows.map((row) => row.id), by]);
  }

  /**
   * Closes a dead letter: it will not be replayed, and leaves the open listing. Resolving it again
   * changes nothing (the first resolver and note stay). Null when there is no such dead letter.
   */
  async resolve(id: number, by: string, note?: string): Promise<DeadLetterRow | null> {
    const [resolved] = await this.sql.query<StoredDeadLetter>(
      `UPDATE dead_letters SET resolved_at = now(), resolved_by = $2, resolution = $3
       WHERE id = $1 AND resolved_at IS NULL RETURNING ${COLUMNS}`,
      [id, by, note ?? null],
    );
    if (resolved) {
      this.logger?.info(`dead letter ${id} (${resolved.sourceTopic}) resolved by ${by}`);
      return toRow(resolved);
    }
    const [existing] = await this.sql.query<StoredDeadLetter>(
      `SELECT ${COLUMNS} FROM dead_letters WHERE id = $1`,
      [id],
    );
    if (!existing) return null;
    this.logger?.info(
      `dead letter ${id} (${existing.sourceTopic}) was already resolved by ${existing.resolvedBy}: ${by}'s resolve changed nothing`,
    );
    return toRow(existing);
  }
}

const COLUMNS = `id, consumer_group AS "consumerGroup", source_topic AS "sourceTopic",
  source_partition AS "sourcePartition", source_offset AS "sourceOffset", message_key AS "key",
  value, headers, error_code AS "errorCode", error_message AS "errorMessage", attempts,
  failed_at AS "failedAt", replayed_at AS "replayedAt", replayed_by AS "replayedBy",
  replay_count AS "replayCount", resolved_at AS "resolvedAt", resolved_by AS "resolvedBy",
  resolution`;

const MARK_REPLAYED = `UPDATE dead_letters
  SET replayed_at = now(), replayed_by = $2, replay_count = replay_count + 1
  WHERE id = ANY($1::bigint[])`;

/** A dead letter as stored: the value is the original bytes, the timestamps are dates. */
type StoredDeadLetter = Omit<DeadLetterRow, "value" | "failedAt" | "replayedAt" | "resolvedAt"> & {
  value: Buffer | null;
  failedAt: Date;
  replayedAt: Date | null;
  resolvedAt: Date | null;
};

type ReplayedRow = Pick<StoredDeadLetter, "id" | "sourceTopic" | "key" | "value">;

function toRow(stored: StoredDeadLetter): DeadLetterRow {
  const failedAt = stored.failedAt.toISOString();
  return {
    ...stored,
    value: stored.value?.toString("utf8") ?? null,
    // The stored headers are the record's own; the error headers are rebuilt from the columns.
    headers: { ...stored.headers, ...dltHeadersOf({ ...stored, failedAt }) },
    failedAt,
    replayedAt: stored.replayedAt?.toISOString() ?? null,
    resolvedAt: stored.resolvedAt?.toISOString() ?? null,
  };
}

const replayRecord = (row: ReplayedRow) => ({
  topic: row.sourceTopic,
  key: row.key,
  value: row.value ?? Buffer.alloc(0),
  headers: { "dlt-replayed-from": String(row.id) },
});

const withoutNul = (text: string) => text.replaceAll("\u0000", "\uFFFD");
