import { QueryTypes, type Sequelize } from "sequelize";
import type { Logger } from "../logger";
import type { MessageBus, OutgoingRecord } from "./message-bus.port";

interface PendingRow {
  id: number;
  message_id: string;
  topic: string;
  message_key: string;
  message_type: string;
  envelope: unknown;
}

export interface OutboxRelayOptions {
  sequelize: Sequelize;
  bus: MessageBus;
  batchSize: number;
  pollIntervalMs: number;
  logger: Logger;
}

/**
 * Publishes committed outbox rows and marks them sent.
 *
 * - Latency: whoever commits outbox rows calls `kick()`, so a message leaves at once; the poll
 *   timer is only the fallback (rows left by a crashed instance, a failed publish).
 * - Several instances: rows are claimed with FOR UPDATE SKIP LOCKED, so two relays never publish
 *   the same batch concurrently; each row is marked sent in the same transaction that claimed it.
 * - At-least-once: a crash between publish and commit republishes the batch; consumers' inboxes
 *   drop the duplicates.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private kicked = false;
  private stopped = true;

  constructor(private readonly options: OutboxRelayOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.options.pollIntervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Asks for a drain now. Kicks during a drain are coalesced into one more pass. */
  kick(): void {
    if (this.stopped) return;
    this.kicked = true;
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
      if (this.kicked) this.kick();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Publishes batches until nothing is pending; returns on the first failure (poll retries). */
  private async drain(): Promise<void> {
    this.kicked = false;
    try {
      let published: number;
      do {
        published = await this.publishBatch();
      } while (!this.stopped && published === this.options.batchSize);
    } catch (error) {
      // While stopping, consumers leave and publishes fail by design: the rows simply stay pending.
      const log = this.stopped ? this.options.logger.debug : this.options.logger.warn;
      log.call(
        this.options.logger,
        `Outbox publish failed, will retry: ${(error as Error).message}`,
      );
    }
  }

  private async publishBatch(): Promise<number> {
    const { sequelize, bus, batchSize } = this.options;
    let claimed: PendingRow[] = [];
    try {
      return await sequelize.transaction(async (transaction) => {
        claimed = await sequelize.query<PendingRow>(
          `SELECT id, message_id, topic, message_key, message_type, envelope FROM outbox
           WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          { bind: [batchSize], type: QueryTypes.SELECT, transaction },
        );
        if (claimed.length === 0) return 0;
        await bus.publish(claimed.map(toRecord));
        await sequelize.query(
          "UPDATE outbox SET sent_at = now(), last_error = NULL WHERE id = ANY($1::bigint[])",
          { bind: [claimed.map((row) => row.id)], transaction },
        );
        return claimed.length;
      });
    } catch (error) {
      if (claimed.length > 0) await this.recordFailure(claimed, error as Error);
      throw error;
    }
  }

  private async recordFailure(rows: PendingRow[], error: Error): Promise<void> {
    await this.options.sequelize
      .query(
        "UPDATE outbox SET failed_attempts = failed_attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])",
        {
          bind: [rows.map((row) => row.id), error.message.slice(0, 1000)],
        },
      )
      .catch(() => undefined);
  }
}

function toRecord(row: PendingRow): OutgoingRecord {
  return {
    topic: row.topic,
    key: row.message_key,
    value: JSON.stringify(row.envelope),
    headers: {
      "message-id": row.message_id,
      "message-type": row.message_type,
      "content-type": "application/json",
    },
  };
}
