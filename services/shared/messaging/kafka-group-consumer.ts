import type { Consumer, EachBatchPayload, Kafka } from "kafkajs";
import type { Logger } from "../logger";
import { backoffDelay, delay, settledWithin } from "./backoff";
import { HandledOffsets } from "./kafka-handled-offsets";
import type { BatchHandler, IncomingRecord, Subscription } from "./message-bus.port";

const REDELIVERY_DELAY_MS = { first: 200, max: 5_000 };
const HEARTBEAT_INTERVAL_MS = 1_000;
const RESTART_DELAY_MS = 5_000;
const OFFSET_COMMIT_INTERVAL_MS = 1_000;
const CLOSE_JOIN_GRACE_MS = 5_000;

export interface GroupConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  partitionsConsumedConcurrently: number;
  /** Most records handed to the handler at once (one consumer transaction). */
  batchSize: number;
  handler: BatchHandler;
  /** Physical topic name → the name the rest of the code knows (see KAFKA_TOPIC_PREFIX). */
  logicalTopic: (topic: string) => string;
  logger: Logger;
}

/**
 * One member of a consumer group, kept alive: kafkajs restarts a consumer only after retriable
 * errors, so after any other crash (e.g. "Failed to find group coordinator" during a long broker
 * outage) this starts a new consumer, and reports itself unhealthy until it has rejoined.
 * `start` resolves once connected and subscribed; the group is joined in the background.
 */
export class KafkaGroupConsumer implements Subscription {
  private consumer: Consumer | undefined;
  private closing = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  /** kafkajs' `run`: it settles once the member has joined its group, or has given up. */
  private running: Promise<void> | undefined;
  private readonly offsets = new HandledOffsets();
  private healthy = false;

  constructor(private readonly options: GroupConsumerOptions) {}

  isHealthy(): boolean {
    return this.healthy;
  }

  async start(): Promise<void> {
    const { kafka, groupId, topics, partitionsConsumedConcurrently } = this.options;
    const consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      // A member killed with SIGKILL holds its partitions until its session times out, so keep
      // it short (the broker's minimum is 6 s); deliver() heartbeats while a handler runs.
      sessionTimeout: 10_000,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      // A new message is handled as soon as it arrives instead of after a long fetch wait.
      maxWaitTimeInMs: 100,
      // kafkajs restarts a consumer after a retriable crash, and one crashes as its connections
      // close: without this, a consumer closed mid-fetch came back to life after close().
      // (`retries: 5` is kafkajs' default for consumers; giving `retry` replaces it.)
      retry: { retries: 5, restartOnFailure: async () => !this.closing },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => (this.healthy = true));
    consumer.on(consumer.events.CRASH, ({ payload }) =>
      this.onCrash(payload.error, payload.restart),
    );
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    // Before the group rebalances, what was handled is committed, so the next owner starts there.
    consumer.on(consumer.events.REBALANCING, () => void this.commitHandled());
    clearInterval(this.commitTimer);
    this.commitTimer = setInterval(() => void this.commitHandled(), OFFSET_COMMIT_INTERVAL_MS);
    // Not awaited: joining the group can take a session timeout (a restarted node's previous
    // member still holds its partitions), and the service's actions must not wait for that.
    // Readiness says "not yet" until GROUP_JOIN (isHealthy).
    this.running = consumer
      .run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently,
        eachBatch: (payload) => this.handleBatch(payload),
      })
      .catch((error: Error) => this.onCrash(error, false));
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.commitTimer);
    await this.commitHandled();
    await this.consumer?.disconnect();
    // A member still joining its group fails once disconnected, and kafkajs reports that crash
    // (and tears its connections down) when the join gives up: before close() is done, not
    // after. Bounded, in case the join is in a long retry.
    if (this.running) await settledWithin(this.running, CLOSE_JOIN_GRACE_MS);
  }

  private commitHandled(): Promise<void> {
    if (!this.consumer) return Promise.resolve();
    return this.offsets.commit(this.consumer, (error) =>
      this.options.logger.warn(`${this.options.groupId}: offset commit failed: ${error.message}`),
    );
  }

  private onCrash(error: Error, kafkajsRestarts: boolean): void {
    this.healthy = false;
    if (kafkajsRestarts || this.closing) return;
    this.options.logger.error(
      `${this.options.groupId}: consumer stopped (${error.message}); a new one starts in ${RESTART_DELAY_MS} ms`,
    );
    this.restartTimer = setTimeout(() => void this.restart(), RESTART_DELAY_MS);
  }

  private async restart(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    if (this.closing) return;
    try {
      await this.start();
      this.options.logger.info(`${this.options.groupId}: consumer restarted`);
    } catch (error) {
      if (this.closing) return;
      this.options.logger.warn(
        `${this.options.groupId}: restart failed (${(error as Error).message}), retrying`,
      );
      this.restartTimer = setTimeout(() => void this.restart(), RESTART_DELAY_MS);
    }
  }

  /**
   * A fetched partition batch, in chunks of at most `batchSize` records, in offset order. Each
   * chunk is one handler call (one database transaction); its offsets are committed with the
   * next periodic commit (HandledOffsets).
   */
  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const topic = this.options.logicalTopic(batch.topic);
    const records: IncomingRecord[] = batch.messages.map((message) => ({
      topic,
      partition: batch.partition,
      offset: message.offset,
      key: message.key?.toString() ?? null,
      value: message.value,
      headers: toStringHeaders(message.headers),
    }));
    for (let from = 0; from < records.length; from += this.options.batchSize) {
      if (!isRunning() || isStale()) return;
      const chunk = records.slice(from, from + this.options.batchSize);
      await this.deliver(chunk, heartbeat);
      const last = chunk[chunk.length - 1]!.offset;
      resolveOffset(last);
      this.offsets.handled(batch.topic, batch.partition, last);
      await heartbeat().catch(() => undefined);
    }
  }

  /**
   * Hands a chunk to the handler until it resolves: a failure is retried, never skipped. The
   * group keeps hearing from this member meanwhile, however long the handler and its own
   * retries take, so a slow chunk does not cost the partition in a rebalance.
   */
  private async deliver(
    records: readonly IncomingRecord[],
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const beating = setInterval(
      () => void heartbeat().catch(() => undefined),
      HEARTBEAT_INTERVAL_MS,
    );
    try {
      for (let failures = 1; ; failures += 1) {
        if (this.closing)
          throw new Error("consumer is closing; the records will be delivered again");
        try {
          return await this.options.handler(records);
        } catch (error) {
          const first = records[0]!;
          const where = `${first.topic}[${first.partition}]@${first.offset}+${records.length}`;
          this.options.logger.warn(`${where} failed, retrying: ${(error as Error).message}`);
          await delay(backoffDelay(failures, REDELIVERY_DELAY_MS.first, REDELIVERY_DELAY_MS.max));
        }
      }
    } finally {
      clearInterval(beating);
    }
  }
}

function toStringHeaders(
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined)
      result[name] = Array.isArray(value) ? value.map(String).join(",") : String(value);
  }
  return result;
}
