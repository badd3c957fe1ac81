import type {
  IncomingRecord,
  MessageBus,
  OutgoingRecord,
  RecordHandler,
  SubscribeOptions,
  Subscription,
} from "./message-bus.port";
import { backoffDelay, delay } from "./backoff";
import { partitionForKey } from "./partitioner";

interface StoredRecord {
  offset: number;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

class PartitionLog {
  /** Offset of records[0]: consumed records are trimmed, offsets keep growing. */
  private base = 0;
  private records: StoredRecord[] = [];

  get end(): number {
    return this.base + this.records.length;
  }

  get start(): number {
    return this.base;
  }

  append(record: Omit<StoredRecord, "offset">): number {
    const offset = this.end;
    this.records.push({ ...record, offset });
    return offset;
  }

  at(offset: number): StoredRecord | undefined {
    return this.records[offset - this.base];
  }

  trimBefore(offset: number): void {
    const drop = offset - this.base;
    if (drop > 0) {
      this.records = this.records.slice(drop);
      this.base = offset;
    }
  }
}

interface Waiter {
  partition: number;
  offset: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

class ConsumerGroup {
  readonly members: RecordHandler[] = [];
  readonly committed: number[];
  private readonly draining: boolean[];
  private waiters: Waiter[] = [];

  constructor(
    readonly groupId: string,
    private readonly topic: TopicLog,
    private readonly retryDelayMs: number,
  ) {
    this.committed = topic.partitions.map((partition) => partition.start);
    this.draining = topic.partitions.map(() => false);
  }

  waitFor(partition: number, offset: number): Promise<void> {
    if (this.committed[partition]! > offset) return Promise.resolve();
    if (this.members.length === 0) {
      return Promise.reject(
        new Error(`consumer group ${this.groupId} is not running; the record stays pending`),
      );
    }
    return new Promise((resolve, reject) =>
      this.waiters.push({ partition, offset, resolve, reject }),
    );
  }

  /** Members leaving mid-flight must not let a publisher believe its record was consumed. */
  failWaiters(reason: string): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(new Error(reason));
  }

  wakeAll(): void {
    this.topic.partitions.forEach((_, partition) => void this.drain(partition));
  }

  /** One loop per partition: records are handled one at a time, in offset order. */
  async drain(partition: number): Promise<void> {
    if (this.draining[partition]) return;
    this.draining[partition] = true;
    let failures = 0;
    try {
      const log = this.topic.partitions[partition]!;
      while (this.members.length > 0 && this.committed[partition]! < log.end) {
        const offset = this.committed[partition]!;
        const record = log.at(offset)!;
        const handler = this.members[partition % this.members.length]!;
        try {
          await handler(this.topic.toIncoming(partition, record));
        } catch {
          failures += 1;
          await delay(backoffDelay(failures, this.retryDelayMs, 5_000));
          continue;
        }
        failures = 0;
        this.committed[partition] = offset + 1;
        this.settleWaiters(partition);
        this.topic.trim(partition);
      }
    } finally {
      this.draining[partition] = false;
    }
  }

  private settleWaiters(partition: number): void {
    const committed = this.committed[partition]!;
    this.waiters = this.waiters.filter((waiter) => {
      if (waiter.partition !== partition || waiter.offset >= committed) return true;
      waiter.resolve();
      return false;
    });
  }
}

/** Records kept on a topic nobody consumes (the .DLT topics): the newest ones, not all forever. */
const UNCONSUMED_RETENTION = 1_000;

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
    const lowest = Math.min(
      ...[...this.groups.values()].map((group) => group.committed[partition]!),
    );
    this.partitions[partition]!.trimBefore(lowest);
  }
}

/**
 * The bus of the embedded mode: partitioned, consumer groups, at-least-once, all in memory.
 *
 * It keeps nothing across a restart, so durability comes from the outbox: `publish` resolves
 * only when every consumer group known on the topic has consumed the records, and rejects at
 * once if one of them has no running member. The relay marks a row sent only after `publish`
 * resolved, so a crash, a stopped consumer or a shutdown leaves the row pending; it is published
 * again later and the consumer's inbox drops any duplicate (docs/adr/0003). A topic no group
 * ever subscribed to (a dead-letter topic) keeps its records for whoever subscribes later.
 */
export class InProcessBus implements MessageBus {
  readonly kind = "in-process" as const;
  private readonly topics = new Map<string, TopicLog>();
  private closed = false;

  private readonly run = Date.now().toString(36);

  constructor(private readonly options: { partitions: number; retryDelayMs?: number }) {}

  async ensureTopics(topics: string[]): Promise<void> {
    for (const name of topics) {
      if (!this.topics.has(name))
        this.topics.set(name, new TopicLog(name, this.options.partitions, this.run));
    }
  }

  async publish(records: OutgoingRecord[]): Promise<void> {
    this.assertOpen();
    const consumed: Promise<void>[] = [];
    const touched = new Set<TopicLog>();
    for (const record of records) {
      const topic = this.topic(record.topic);
      const partition =
        record.key === null ? 0 : partitionForKey(record.key, topic.partitions.length);
      const offset = topic.partitions[partition]!.append({
        key: record.key,
        value: Buffer.isBuffer(record.value) ? record.value : Buffer.from(record.value),
        headers: { ...record.headers },
      });
      for (const group of topic.groups.values()) consumed.push(group.waitFor(partition, offset));
      touched.add(topic);
    }
    for (const topic of touched) {
      if (topic.groups.size === 0)
        topic.partitions.forEach((_, partition) => topic.trim(partition));
      for (const group of topic.groups.values()) group.wakeAll();
    }
    await Promise.all(consumed);
  }

  async subscribe({ groupId, topics, handler }: SubscribeOptions): Promise<Subscription> {
    this.assertOpen();
    const joined = topics.map((name) => {
      const topic = this.topic(name);
      let group = topic.groups.get(groupId);
      if (!group) {
        group = new ConsumerGroup(groupId, topic, this.options.retryDelayMs ?? 200);
        topic.groups.set(groupId, group);
      }
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
            group.failWaiters(`consumer group ${group.groupId} has no members left`);
          else group.wakeAll();
        }
      },
    };
  }

  async isHealthy(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const topic of this.topics.values()) {
      for (const group of topic.groups.values()) {
        group.members.length = 0;
        group.failWaiters("the bus is closed");
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
