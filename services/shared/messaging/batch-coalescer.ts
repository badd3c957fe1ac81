import type { IncomingRecord } from "./message-bus.port";

interface Waiting {
  records: readonly IncomingRecord[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Batches the bus hands over in the same turn of the event loop (Kafka: the partitions of one
 * fetch; in process: the topics a group consumes), delivered as one: one transaction instead of
 * one per partition. Each partition's records stay consecutive and in order. Every caller's
 * promise settles with the delivery its records were part of.
 */
export class BatchCoalescer {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(
    private readonly maxRecords: number,
    private readonly deliver: (records: readonly IncomingRecord[]) => Promise<void>,
  ) {}

  add(records: readonly IncomingRecord[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ records, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.waiting.length > 0) {
      const group = [this.waiting.shift()!];
      let count = group[0]!.records.length;
      while (
        this.waiting.length > 0 &&
        count + this.waiting[0]!.records.length <= this.maxRecords
      ) {
        const next = this.waiting.shift()!;
        count += next.records.length;
        group.push(next);
      }
      this.deliver(group.flatMap((waiting) => waiting.records)).then(
        () => group.forEach((waiting) => waiting.resolve()),
        (error: unknown) => group.forEach((waiting) => waiting.reject(error)),
      );
    }
  }
}
