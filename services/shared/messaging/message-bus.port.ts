/**
 * The port every service publishes and consumes through. Two adapters implement it: the
 * in-process bus (embedded mode) and the Kafka bus (distributed mode); one contract test suite
 * (test/bus-contract) holds both to the same promises:
 *
 * - records with the same key are delivered in publish order (one partition per key);
 * - every consumer group receives every record; within a group each record goes to one member;
 * - at-least-once: a record is committed only after its handler resolved; a handler that rejects
 *   gets the same record again (after a pause), and later records of that partition wait;
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

export type RecordHandler = (record: IncomingRecord) => Promise<void>;

export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  handler: RecordHandler;
}

export interface Subscription {
  close(): Promise<void>;
}

export interface MessageBus {
  readonly kind: "in-process" | "kafka";
  /** Creates missing topics with the configured partitions; never deletes or shrinks. */
  ensureTopics(topics: string[]): Promise<void>;
  /** Resolves once the records are durable (Kafka: acks=all) or consumed (in-process). */
  publish(records: OutgoingRecord[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** For readiness: can this bus publish right now? */
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
}
