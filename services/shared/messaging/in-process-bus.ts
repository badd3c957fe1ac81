import {
  DEFAULT_MAX_BATCH_SIZE,
  type BatchHandler,
  type IncomingRecord,
  type MessageBus,
  type PartitionLag,
  type OutgoingRecord,
  type SubscribeOptions,
  type Subscription,
} from "./message-bus.port";
import { backoffDelay, delay } from "./backoff";
import { partitionForKey } from "./partitioner";
import { PartitionLog, type StoredRecord } from "./partition-log";
import { Receipt, ReceiptQueue } from "./receipts";

/** Records kept on a topic nobody consumes (the .DLT topics): the newest ones, not all forever. */
const UNCONSUMED_RETENTION = 1_000;

/** One group's position on one partition, and the publishers waiting for it to move. */
class GroupPartition {
  committed: number;
  draining = false;
  readonly receipts = new ReceiptQueue();

  constructor(start: number) {
    this.committed = start;
  }
}

class ConsumerGroup {
  readonly members: BatchHandler[] = [];
  readonly partitions: GroupPartition[];
  batchSize = DEFAULT_MAX_BATCH_SIZE;

  constructor(
    readonly groupId: string,
    private readonly topic: TopicLog,
    private readonly retryDelayMs: number,
  ) {
    this.partitions = topic.partitions.map((log) => new GroupPartition(log.start));
  }

  wakeAll(): void {
    this.partitions.forEach((_, partition) => void this.drain(partition));
  }

  /** Members leaving mid-flight must not let a publisher believe its records were consumed. */
  failReceipts(reason: string): void {
    for (const position of this.partitions) position.receipts.failAll(new Error(reason));
  }

  /** One loop per partition: a batch at a time, in offset order, retried until it succeeds. */
  private async drain(partition: number): Promise<void> {
    const position = this.partitions[partition]!;
    if (position.draining) return;
    position.draining = true;
    let failures = 0;
    try {
      const log = this.topic.partitions[partition]!;
      while (this.members.length > 0 && position.committed < log.end) {
        const batch = log.read(position.committed, this.batchSize);
        const handler = this.members[partition % this.members.length]!;
        try {
          await handler(batch.map((record) => this.topic.toIncoming(partition, record)));
        } catch {
          failures += 1;
          await delay(backoffDelay(failures, this.retryDelayMs, 5_000));
          continue;
        }
        // A member that left while handling must not commit: the batch goes to whoever owns
        // the partition now, as a Kafka member's commit after a rebalance is refused.
        if (!this.members.includes(handler)) continue;
        failures = 0;
        position.committed += batch.length;
        position.receipts.settleBefore(position.committed);
        this.topic.trim(partition);
      }
    } finally {
      position.draining = false;
    }
  }
}

class TopicLog {
  readonly partitions: PartitionLog[];
  readonly groups = new Map<string, ConsumerGroup>();

  constructor(
    readonly name: string,
    partitionCount: number,
    private readonly run: string,
  ) {
    this.partitions = Array.from({ length: partitionCount }, () => new PartitionLog());
  }

  toIncoming(partition: number, record: StoredRecord): IncomingRecord {
    return {
      topic: this.name,
      partition,
      // Offsets restart with the process; the run id keeps "<run>:<n>" unique across restarts
      // (dead letters are keyed by it).
      offset: `${this.run}:${record.offset}`,
      key: record.key,
      value: record.value,
      headers: { ...record.headers },
    };
  }

  /** Drops what every group has consumed; with no group yet, keeps the newest records. */
  trim(partition: number): void {
    const log = this.partitions[partition]!;
    if (this.groups.size === 0) return log.trimBefore(log.end - UNCONSUMED_RETENTION);
    let lowest = log.end;
    for (const group of this.groups.values())
      lowest = Math.min(lowest, group.partitions[partition]!.committed);
    log.trimBefore(lowest);
  }
}

export interface InProcessBusOptions {
  partitions: number;
  /** Pause before a failed batch is handed over again (doubling up to 5 s). */
  retryDelayMs?: number;
}

/**
 * The bus of the embedded mode: partitioned, consumer groups, batches, at-least-once, in memory.
 *
 * It keeps nothing across a restart, so durability comes from the outbox (docs/adr/0003): a
 * publish resolves only when every consumer group of the topic has handled the records, and
 * rejects at once if one of them has no running member. The relay marks rows sent only then, so
 * a crash leaves them pending and they are published again; inboxes drop the duplicates. The
 * relay does not wait for one publish before the next: several batches are in flight at once.
 * A topic no group ever subscribed to (a dead-letter topic) keeps its newest records for whoever
 * subscribes later.
 */
export class InProcessBus implements MessageBus {
  readonly kind = "in-process" as const;
  private readonly topics = new Map<string, TopicLog>();
  private closed = false;

  private readonly run = Date.now().toString(36);

  constructor(private readonly options: InProcessBusOptions) {}

  async ensureTopics(topics: string[]): Promise<void> {
    for (const name of topics) {
      if (!this.topics.has(name))
        this.topics.set(name, new TopicLog(name, this.options.partitions, this.run));
    }
  }

  publish(records: readonly OutgoingRecord[]): Promise<void> {
    try {
      return this.append(records).settled;
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Appends every record, then waits for each group once per partition touched, not per record. */
  private append(records: readonly OutgoingRecord[]): Receipt {
    this.assertOpen();
    // Checked before anything is appended: a refused publish leaves no record behind.
    const lastOffsets = new Map<TopicLog, Map<number, number>>();
    for (const record of records) {
      const topic = this.topic(record.topic);
      if (lastOffsets.has(topic)) continue;
      for (const group of topic.groups.values()) {
        if (group.members.length === 0)
          throw new Error(
            `consumer group ${group.groupId} is not running; the record stays pending`,
          );
      }
      lastOffsets.set(topic, new Map());
    }
    const receipt = new Receipt();
    for (const record of records) {
      const topic = this.topic(record.topic);
      const partition =
        record.key === null ? 0 : partitionForKey(record.key, topic.partitions.length);
      const offset = topic.partitions[partition]!.append({
        key: record.key,
        value: Buffer.isBuffer(record.value) ? record.value : Buffer.from(record.value),
        headers: { ...record.headers },
      });
      lastOffsets.get(topic)!.set(partition, offset);
    }
    for (const [topic, partitions] of lastOffsets) {
      for (const [partition, offset] of partitions) {
        if (topic.groups.size === 0) topic.trim(partition);
        for (const group of topic.groups.values())
          group.partitions[partition]!.receipts.add(offset, receipt);
      }
      for (const group of topic.groups.values()) group.wakeAll();
    }
    receipt.seal();
    return receipt;
  }

  async subscribe({
    groupId,
    topics,
    handler,
    maxBatchSize = DEFAULT_MAX_BATCH_SIZE,
  }: SubscribeOptions): Promise<Subscription> {
    this.assertOpen();
    const joined = topics.map((name) => {
      const topic = this.topic(name);
      let group = topic.groups.get(groupId);
      if (!group) {
        group = new ConsumerGroup(groupId, topic, this.options.retryDelayMs ?? 200);
        topic.groups.set(groupId, group);
      }
      group.batchSize = maxBatchSize;
      group.members.push(handler);
      group.wakeAll();
      return group;
    });
    return {
      close: async () => {
        for (const group of joined) {
          const index = group.members.indexOf(handler);
          if (index >= 0) group.members.splice(index, 1);
          if (group.members.length === 0)
            group.failReceipts(`consumer group ${group.groupId} has no members left`);
          else group.wakeAll();
        }
      },
    };
  }

  async isHealthy(): Promise<boolean> {
    return !this.closed;
  }

  async consumerLag(groupId: string, topics: readonly string[]): Promise<PartitionLag[]> {
    return topics.flatMap((name) => {
      const topic = this.topics.get(name);
      const group = topic?.groups.get(groupId);
      if (!topic || !group) return [];
      return topic.partitions.map((log, partition) => ({
        topic: name,
        partition,
        lag: log.end - group.partitions[partition]!.committed,
      }));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const topic of this.topics.values()) {
      for (const group of topic.groups.values()) {
        group.members.length = 0;
        group.failReceipts("the bus is closed");
      }
    }
  }

  private topic(name: string): TopicLog {
    const topic = this.topics.get(name);
    if (!topic) throw new Error(`topic ${name} does not exist; create it with ensureTopics first`);
    return topic;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("the bus is closed");
  }
}
