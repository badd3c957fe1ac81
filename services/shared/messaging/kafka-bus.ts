import { byTopic } from "./by-topic";
import {
  Kafka,
  KafkaJSProtocolError,
  logLevel as KafkaLogLevel,
  Partitioners,
  type Admin,
  type LogEntry,
  type Producer,
} from "kafkajs";
import type { KafkaConfig } from "../config/config";
import { delay } from "./backoff";
import { KafkaGroupConsumer } from "./kafka-group-consumer";
import type { Logger } from "../logger";
import {
  DEFAULT_MAX_BATCH_SIZE,
  PublishRejectedError,
  type MessageBus,
  type PartitionLag,
  type OutgoingRecord,
  type SubscribeOptions,
  type Subscription,
} from "./message-bus.port";

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
  private producer: Producer;
  private readonly admin: Admin;
  private producerReady: Promise<void> | undefined;
  private adminReady: Promise<void> | undefined;
  private readonly consumers = new Set<KafkaGroupConsumer>();
  private lastSend: Promise<void> = Promise.resolve();

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
    this.producer = this.createProducer();
    this.admin = this.kafka.admin();
  }

  private createProducer(): Producer {
    return this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // Bounded, so a publish during a broker outage fails and the outbox row stays pending
      // (the relay retries); consumers' inboxes absorb any resulting duplicate.
      retry: { initialRetryTime: 100, maxRetryTime: 5_000, retries: 8 },
    });
  }

  /**
   * After a failed send the idempotent producer cannot be trusted: kafkajs rolls its sequence
   * numbers back once retries are exhausted, and a later batch may then be refused forever
   * (OUT_OF_ORDER_SEQUENCE_NUMBER) or acknowledged as a duplicate without being written, while
   * the relay deletes the rows as sent. A new producer gets a new producer id and fresh
   * sequences; the relay publishes the failed rows again through it.
   */
  private replaceProducer(): void {
    const failed = this.producer;
    this.producer = this.createProducer();
    this.producerReady = undefined;
    failed.disconnect().catch(() => undefined);
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
      // Not kafkajs' wait: it tolerates only LEADER_NOT_AVAILABLE and fails on the "not hosted"
      // answer a broker gives while it applies the new topic's metadata (it failed CI once).
      // waitForLeaders below tolerates both.
      waitForLeaders: false,
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
      const ready = await this.admin.fetchTopicMetadata({ topics }).then(
        ({ topics: metadata }) =>
          metadata.every((topic) => topic.partitions.every((partition) => partition.leader >= 0)),
        // Seen with several nodes starting at once: a topic another node is creating right now
        // is "not hosted" for a moment (UNKNOWN_TOPIC_OR_PARTITION, retriable). Not yet, not never.
        (error: { retriable?: boolean }) => {
          if (error.retriable !== true) throw error;
          return false;
        },
      );
      if (ready) return;
      if (Date.now() > deadline)
        throw new Error(`Kafka topics have no partition leaders after ${timeoutMs} ms`);
      await delay(200);
    }
  }

  /**
   * Sends in call order: kafkajs may reorder concurrent sendBatch calls (each first awaits
   * metadata), and a key's records must stay in publish order. The idempotent producer has one
   * request in flight per broker anyway, so the chain costs no throughput.
   */
  publish(records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const sent = this.lastSend.then(() => this.send(records));
    this.lastSend = sent.catch(() => undefined);
    return sent;
  }

  private async send(records: readonly OutgoingRecord[]): Promise<void> {
    await this.connectProducer();
    try {
      await this.sendBatch(records);
    } catch (error) {
      this.replaceProducer();
      if (!refusedForGood(error)) throw error;
      throw new PublishRejectedError(`Kafka refused the records: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  private async sendBatch(records: readonly OutgoingRecord[]): Promise<void> {
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic(records)].map(([topic, messages]) => ({
        topic: this.physical(topic),
        messages: messages.map((message) => ({
          key: message.key,
          value: message.value,
          headers: message.headers,
        })),
      })),
    });
  }

  async subscribe({
    groupId,
    topics,
    handler,
    maxBatchSize = DEFAULT_MAX_BATCH_SIZE,
  }: SubscribeOptions): Promise<Subscription> {
    const consumer = new KafkaGroupConsumer({
      kafka: this.kafka,
      groupId: this.physical(groupId),
      topics: topics.map((topic) => this.physical(topic)),
      partitionsConsumedConcurrently: this.config.topicPartitions,
      batchSize: maxBatchSize,
      handler,
      logicalTopic: (topic) => this.logical(topic),
      logger: this.logger,
    });
    await consumer.start();
    this.consumers.add(consumer);
    return {
      close: async () => {
        this.consumers.delete(consumer);
        await consumer.close();
      },
    };
  }

  /** Readiness: the cluster answers and every consumer of this process is in its group. */
  async isHealthy(): Promise<boolean> {
    if ([...this.consumers].some((consumer) => !consumer.isHealthy())) return false;
    try {
      await this.connectAdmin();
      await withTimeout(this.admin.describeCluster(), 3_000);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => consumer.close()));
    this.consumers.clear();
    await Promise.all([this.producer.disconnect(), this.admin.disconnect()]);
  }

  /** KAFKA_TOPIC_PREFIX keeps independent OMS clusters apart on one Kafka: topics and groups. */
  async consumerLag(groupId: string, topics: readonly string[]): Promise<PartitionLag[]> {
    await this.connectAdmin();
    const committed = await this.admin.fetchOffsets({
      groupId: this.physical(groupId),
      topics: topics.map((topic) => this.physical(topic)),
    });
    const lags: PartitionLag[] = [];
    for (const { topic, partitions } of committed) {
      const ends = new Map(
        (await this.admin.fetchTopicOffsets(topic)).map((end) => [end.partition, Number(end.high)]),
      );
      for (const { partition, offset } of partitions) {
        // -1: the group has committed nothing on the partition yet; all of it is behind.
        const lag = (ends.get(partition) ?? 0) - Math.max(Number(offset), 0);
        lags.push({ topic: this.logical(topic), partition, lag: Math.max(lag, 0) });
      }
    }
    return lags;
  }

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

/**
 * Broker answers that mean "never, for these records": retrying the same bytes to the same
 * topic cannot succeed (a topic that does not exist is not created by a retry either).
 */
const REFUSED_FOR_GOOD = new Set([
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_RECORD",
  "CORRUPT_MESSAGE",
  "INVALID_TOPIC_EXCEPTION",
  "UNKNOWN_TOPIC_OR_PARTITION",
  "TOPIC_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
  "UNSUPPORTED_FOR_MESSAGE_FORMAT",
]);

/** kafkajs wraps the broker's answer (after retries) in `cause`, or several in `errors`. */
function refusedForGood(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof KafkaJSProtocolError && REFUSED_FOR_GOOD.has(error.type)) return true;
  const { cause, errors } = error as { cause?: unknown; errors?: unknown };
  if (cause && cause !== error && refusedForGood(cause)) return true;
  return Array.isArray(errors) && errors.some(refusedForGood);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref(),
    ),
  ]);
}
