/**
 * The port every service publishes and consumes through. Two adapters implement it: the
 * in-process bus (embedded mode) and the Kafka bus (distributed mode); one contract test suite
 * (test/bus-contract) holds both to the same promises:
 *
 * - records with the same key are delivered in publish order (one partition per key);
 * - every consumer group receives every record; within a group each record goes to one member;
 * - records arrive in batches: consecutive records of one partition, in offset order;
 * - at-least-once: a batch is committed only after its handler resolved; a handler that rejects
 *   gets the same batch again (after a pause), and later records of that partition wait;
 * - a group that subscribes late starts from the earliest record still retained.
 */
export interface OutgoingRecord {
  topic: string;
  /** Partitioning key: the orderId for every business message (null only for unkeyed records). */
  key: string | null;
  value: string | Buffer;
  headers?: Record<string, string>;
}

export interface IncomingRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Consecutive records of one partition, in offset order (never empty). A handler that joins
 * batches of several partitions keeps each partition's records consecutive and in order. */
/** Where a record came from, for logs: `topic[partition]@offset`. */
export function describeRecord(record: IncomingRecord): string {
  return `${record.topic}[${record.partition}]@${record.offset}`;
}

export type BatchHandler = (records: readonly IncomingRecord[]) => Promise<void>;

export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  handler: BatchHandler;
  /** Most records per handler call; the consumer's transaction size (default 500). */
  maxBatchSize?: number;
}

export const DEFAULT_MAX_BATCH_SIZE = 500;

export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

export interface Subscription {
  close(): Promise<void>;
}

export interface MessageBus {
  readonly kind: "in-process" | "kafka";
  /** Creates missing topics with the configured partitions; never deletes or shrinks. */
  ensureTopics(topics: string[]): Promise<void>;
  /**
   * Resolves once the records are safe: acknowledged by every in-sync replica (Kafka, acks=all),
   * or handled by every consumer group (in-process, which keeps nothing across a restart). The
   * outbox relay marks rows sent only then, but it does not wait for one publish before the next.
   * Rejects with PublishRejectedError when the broker refuses the records for good; any other
   * rejection may succeed if tried again.
   */
  publish(records: readonly OutgoingRecord[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** For readiness: can this bus publish right now? */
  isHealthy(): Promise<boolean>;
  /**
   * How far a consumer group is behind on its topics, per partition: the end offset minus the
   * group's committed offset.
   */
  consumerLag(groupId: string, topics: readonly string[]): Promise<PartitionLag[]>;
  close(): Promise<void>;
}

/**
 * The broker refused these records and would refuse them again (too large, no such topic, not
 * authorised): retrying cannot help. With several records, any one of them may be the cause.
 */
export class PublishRejectedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PublishRejectedError";
  }
}
