import {
  Kafka,
  logLevel as KafkaLogLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type IHeaders,
  type LogEntry,
  type Producer,
} from "kafkajs";
import type { KafkaConfig } from "../config/config";
import { backoffDelay, delay } from "./backoff";
import type { Logger } from "../logger";
import type {
  IncomingRecord,
  MessageBus,
  OutgoingRecord,
  RecordHandler,
  SubscribeOptions,
  Subscription,
} from "./message-bus.port";

const REDELIVERY_DELAY_MS = { first: 200, max: 5_000 };
const HEARTBEAT_INTERVAL_MS = 1_000;

/**
 * The bus of the distributed mode: durable Kafka topics through kafkajs.
 *
 * - Producer: idempotent, acks=all, keyed by orderId with Kafka's default (murmur2) partitioner,
 *   so every client agrees on which partition holds an order.
 * - Consumers: one group per service, offsets committed by hand only after the handler resolved
 *   (i.e. after the service's transaction); a rejected handler gets the same record again and
 *   the partition waits: nothing is skipped. A new group starts at the earliest offset.
 * - Topics are created explicitly (ensureTopics) with the configured partitions and replication.
 * - The rest of the code speaks of logical names (`order.created`, `saga-service`); with
 *   KAFKA_TOPIC_PREFIX set, this adapter alone maps them to `<prefix>order.created` and back.
 */
export class KafkaBus implements MessageBus {
  readonly kind = "kafka" as const;
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private producerReady: Promise<void> | undefined;
  private adminReady: Promise<void> | undefined;
  private readonly consumers = new Set<Consumer>();

  constructor(
    private readonly config: KafkaConfig,
    private readonly logger: Logger,
  ) {
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      logLevel: KafkaLogLevel.WARN,
      logCreator: () => (entry) => this.log(entry),
      retry: { initialRetryTime: 100, maxRetryTime: 5_000, retries: 10 },
    });
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // Bounded, so a publish during a broker outage fails and the outbox row stays pending
      // (the relay retries); consumers' inboxes absorb any resulting duplicate.
      retry: { initialRetryTime: 100, maxRetryTime: 5_000, retries: 8 },
    });
    this.admin = this.kafka.admin();
  }

  async ensureTopics(topics: string[]): Promise<void> {
    await this.connectAdmin();
    const physical = topics.map((topic) => this.physical(topic));
    const existing = new Set(await this.admin.listTopics());
    const missing = physical.filter((topic) => !existing.has(topic));
    if (missing.length > 0) await this.createTopics(missing);
    await this.waitForLeaders(physical);
  }

  private async createTopics(missing: string[]): Promise<void> {
    // false: another instance created them between our list and create, which is the goal anyway.
    const created = await this.admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: this.config.topicPartitions,
        replicationFactor: this.config.replicationFactor,
      })),
    });
    if (created) this.logger.info(`Created Kafka topics: ${missing.join(", ")}`);
  }

  /** A topic another node has just created may not have partition leaders yet; consumers need them. */
  private async waitForLeaders(topics: string[], timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { topics: metadata } = await this.admin.fetchTopicMetadata({ topics });
      const ready = metadata.every((topic) =>
        topic.partitions.every((partition) => partition.leader >= 0),
      );
      if (ready) return;
      if (Date.now() > deadline)
        throw new Error(`Kafka topics have no partition leaders after ${timeoutMs} ms`);
      await delay(200);
    }
  }

  async publish(records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.connectProducer();
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const record of records)
      byTopic.set(record.topic, [...(byTopic.get(record.topic) ?? []), record]);
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({
        topic: this.physical(topic),
        messages: messages.map((message) => ({
          key: message.key,
          value: message.value,
          headers: message.headers,
        })),
      })),
    });
  }

  async subscribe({ groupId, topics, handler }: SubscribeOptions): Promise<Subscription> {
    const consumer = this.kafka.consumer({
      groupId: this.physical(groupId),
      allowAutoTopicCreation: false,
      // A member killed with SIGKILL holds its partitions until its session times out, so keep
      // it short (the broker's minimum is 6 s); deliver() heartbeats while a handler runs.
      sessionTimeout: 10_000,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      // A new message is handled as soon as it arrives instead of after a long fetch wait.
      maxWaitTimeInMs: 100,
    });
    let closing = false;
    await consumer.connect();
    this.consumers.add(consumer);
    await consumer.subscribe({
      topics: topics.map((topic) => this.physical(topic)),
      fromBeginning: true,
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.config.topicPartitions,
      // One partition's batch at a time, in offset order; one commit per batch, after the last
      // record whose handler resolved (i.e. whose transaction committed).
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        let handled: string | undefined;
        try {
          for (const message of batch.messages) {
            if (!isRunning() || isStale()) break;
            const record: IncomingRecord = {
              topic: this.logical(batch.topic),
              partition: batch.partition,
              offset: message.offset,
              key: message.key?.toString() ?? null,
              value: message.value,
              headers: toStringHeaders(message.headers),
            };
            await this.deliver(record, handler, heartbeat, () => closing);
            resolveOffset(message.offset);
            handled = message.offset;
            await heartbeat();
          }
        } finally {
          if (handled !== undefined) {
            const next = (BigInt(handled) + 1n).toString();
            await consumer
              .commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }])
              // Lost the partition in a rebalance: its new owner re-handles, the inbox dedupes.
              .catch((error: Error) => this.logger.warn(`offset commit failed: ${error.message}`));
          }
        }
      },
    });
    return {
      close: async () => {
        closing = true;
        await consumer.disconnect();
        this.consumers.delete(consumer);
      },
    };
  }

  /**
   * Hands one record to the handler until it resolves: a failure is retried, never skipped. The
   * group keeps hearing from this member meanwhile, however long the handler and its own
   * retries take, so a slow record does not cost the partition in a rebalance.
   */
  private async deliver(
    record: IncomingRecord,
    handler: RecordHandler,
    heartbeat: () => Promise<void>,
    closing: () => boolean,
  ): Promise<void> {
    const beating = setInterval(
      () => void heartbeat().catch(() => undefined),
      HEARTBEAT_INTERVAL_MS,
    );
    try {
      for (let failures = 1; ; failures += 1) {
        if (closing()) throw new Error("consumer is closing; the record will be delivered again");
        try {
          return await handler(record);
        } catch (error) {
          const where = `${record.topic}[${record.partition}]@${record.offset}`;
          this.logger.warn(`${where} failed, retrying: ${(error as Error).message}`);
          await delay(backoffDelay(failures, REDELIVERY_DELAY_MS.first, REDELIVERY_DELAY_MS.max));
        }
      }
    } finally {
      clearInterval(beating);
    }
  }

  async isHealthy(): Promise<boolean> {
    try {
      await this.connectAdmin();
      await withTimeout(this.admin.describeCluster(), 3_000);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => consumer.disconnect()));
    this.consumers.clear();
    await Promise.all([this.producer.disconnect(), this.admin.disconnect()]);
  }

  /** KAFKA_TOPIC_PREFIX keeps independent OMS clusters apart on one Kafka: topics and groups. */
  private physical(name: string): string {
    return `${this.config.topicPrefix}${name}`;
  }

  private logical(topic: string): string {
    return topic.startsWith(this.config.topicPrefix)
      ? topic.slice(this.config.topicPrefix.length)
      : topic;
  }

  private connectProducer(): Promise<void> {
    this.producerReady ??= this.producer.connect().catch((error: unknown) => {
      this.producerReady = undefined;
      throw error;
    });
    return this.producerReady;
  }

  private connectAdmin(): Promise<void> {
    this.adminReady ??= this.admin.connect().catch((error: unknown) => {
      this.adminReady = undefined;
      throw error;
    });
    return this.adminReady;
  }

  private log({ level, log }: LogEntry): void {
    const text = `[kafkajs] ${log.message}${log.error ? `: ${String(log.error)}` : ""}`;
    // Expected: retries are bounded on purpose (see the producer above); inboxes dedupe.
    if (log.message.startsWith("Limiting retries for the idempotent producer"))
      this.logger.debug(text);
    else if (level === KafkaLogLevel.ERROR) this.logger.error(text);
    else if (level === KafkaLogLevel.WARN) this.logger.warn(text);
    else this.logger.debug(text);
  }
}

function toStringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined)
      result[name] = Array.isArray(value) ? value.map(String).join(",") : String(value);
  }
  return result;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref(),
    ),
  ]);
}
