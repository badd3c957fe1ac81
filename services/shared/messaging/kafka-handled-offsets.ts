import type { Consumer } from "kafkajs";

interface PartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to read: one past the last record whose transaction committed. */
  offset: string;
}

/**
 * Offsets of records already handled (their transaction committed), committed to Kafka in one
 * request per interval instead of one per batch. (kafkajs' own autoCommit commits after every
 * batch of an eachBatch consumer, whatever its interval.) A crash re-handles at most one
 * interval's records; the inboxes drop them.
 */
export class HandledOffsets {
  private readonly pending = new Map<string, PartitionOffset>();

  handled(topic: string, partition: number, lastOffset: string): void {
    const offset = (BigInt(lastOffset) + 1n).toString();
    this.pending.set(`${topic}\u0000${partition}`, { topic, partition, offset });
  }

  /**
   * Commits what was handled since the last call. A failed commit is dropped, not retried: after
   * a rebalance it could move the new owner's offset backwards. The next commit of the partition
   * supersedes it; a partition that gets no more records re-handles its last second after a
   * restart, and the inbox drops those.
   */
  async commit(consumer: Consumer, onError: (error: Error) => void): Promise<void> {
    if (this.pending.size === 0) return;
    const offsets = [...this.pending.values()];
    this.pending.clear();
    // Lost a partition in a rebalance: its new owner re-handles from the last commit.
    await consumer.commitOffsets(offsets).catch(onError);
  }
}
