export interface StoredRecord {
  offset: number;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

/** Consumed records are dropped only once they are at least this many and half the array. */
const COMPACT_AFTER = 1_024;

/**
 * One partition of an in-memory topic: an append-only array whose consumed head is dropped in
 * bulk. Trimming one record at a time with `slice` copied the whole backlog per record, which
 * made a backlog of n records cost n² (issue 6); here every record is copied at most once more.
 */
export class PartitionLog {
  private records: StoredRecord[] = [];
  /** Offset of records[0]. */
  private base = 0;
  /** Index of the first record still retained. */
  private head = 0;

  /** Offset of the oldest retained record. */
  get start(): number {
    return this.base + this.head;
  }

  /** Offset the next record will get. */
  get end(): number {
    return this.base + this.records.length;
  }

  append(record: Omit<StoredRecord, "offset">): number {
    const offset = this.end;
    this.records.push({ ...record, offset });
    return offset;
  }

  /** Up to `max` records from `offset` on (which must be retained). */
  read(offset: number, max: number): StoredRecord[] {
    const from = offset - this.base;
    return this.records.slice(from, Math.min(this.records.length, from + max));
  }

  trimBefore(offset: number): void {
    const head = Math.min(offset, this.end) - this.base;
    if (head <= this.head) return;
    this.head = head;
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.records.length) {
      this.records = this.records.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  }
}
