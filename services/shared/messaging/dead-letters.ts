import { deadLetterTopicOf } from "../../../contracts";
import type { SqlExecutor } from "../db/sql-database";
import type { Logger } from "../logger";
import { describeRecord, type IncomingRecord, type MessageBus } from "./message-bus.port";
import { NO_MESSAGING_METRICS, type MessagingMetrics } from "./messaging-metrics";

/** The error code of a replay that names no dead letter of this service. */
export const DEAD_LETTER_NOT_FOUND = "DEAD_LETTER_NOT_FOUND";

export interface DeadLetter {
  code: string;
  message: string;
  attempts: number;
}

export interface DeadLetterRow {
  id: number;
  consumerGroup: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  key: string | null;
  value: string | null;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  failedAt: string;
  replayedAt: string | null;
}

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

/**
 * Parks a message that cannot be processed: a row in the service's `dead_letters` table (to list
 * and replay) and a record on `<topic>.DLT` with error headers (for any other tooling). The
 * original bytes are kept as they arrived. The row is the dead letter: if the DLT record cannot
 * be published (the record plus its headers too large, the topic gone, the broker down), the row
 * keeps why (`dlt_error`) and the consumer moves on, instead of redelivering the record forever.
 */
export class DeadLetterStore {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly bus: MessageBus,
    private readonly consumerGroup: string,
    private readonly logger?: Logger,
    private readonly metrics: MessagingMetrics = NO_MESSAGING_METRICS,
  ) {}

  async park(record: IncomingRecord, failure: DeadLetter): Promise<void> {
    const failedAt = new Date().toISOString();
    const headers = {
      ...record.headers,
      [DLT_HEADERS.errorCode]: failure.code,
      [DLT_HEADERS.errorMessage]: failure.message.slice(0, 1000),
      [DLT_HEADERS.sourceTopic]: record.topic,
      [DLT_HEADERS.sourcePartition]: String(record.partition),
      [DLT_HEADERS.sourceOffset]: record.offset,
      [DLT_HEADERS.consumerGroup]: this.consumerGroup,
      [DLT_HEADERS.attempts]: String(failure.attempts),
      [DLT_HEADERS.failedAt]: failedAt,
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

  async list(limit = 20): Promise<DeadLetterRow[]> {
    const rows = await this.sql.query<StoredDeadLetter>(
      `SELECT id, consumer_group AS "consumerGroup", source_topic AS "sourceTopic",
         source_partition AS "sourcePartition", source_offset AS "sourceOffset", message_key AS "key", value,
         error_code AS "errorCode", error_message AS "errorMessage", attempts,
         failed_at AS "failedAt", replayed_at AS "replayedAt"
       FROM dead_letters ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({ ...row, value: row.value?.toString("utf8") ?? null }));
  }

  /** Sends the original bytes back to their source topic, e.g. after a fix was deployed. */
  async replay(id: number): Promise<{ sourceTopic: string } | null> {
    const [row] = await this.sql.query<Pick<StoredDeadLetter, "sourceTopic" | "key" | "value">>(
      `SELECT source_topic AS "sourceTopic", message_key AS "key", value FROM dead_letters WHERE id = $1`,
      [id],
    );
    if (!row) return null;
    await this.bus.publish([
      {
        topic: row.sourceTopic,
        key: row.key,
        value: row.value ?? Buffer.alloc(0),
        headers: { "dlt-replayed-from": String(id) },
      },
    ]);
    await this.sql.query("UPDATE dead_letters SET replayed_at = now() WHERE id = $1", [id]);
    this.metrics.replayed(this.consumerGroup, row.sourceTopic);
    return { sourceTopic: row.sourceTopic };
  }
}

/** A dead letter as stored: the value is the original bytes. */
type StoredDeadLetter = Omit<DeadLetterRow, "value"> & { value: Buffer | null };

const withoutNul = (text: string) => text.replaceAll("\u0000", "\uFFFD");
