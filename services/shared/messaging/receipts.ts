/**
 * A publish's promise to its caller: settled when every (group, partition) it waits on has
 * committed past the publish's last record there, or failed as soon as one of them cannot.
 */
export class Receipt {
  readonly settled: Promise<void>;
  private pending = 0;
  private sealed = false;
  private done = false;
  private resolve!: () => void;
  private reject!: (error: Error) => void;

  constructor() {
    this.settled = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** One more (group, partition) to wait for. */
  expect(): void {
    this.pending += 1;
  }

  /** No more waits will be added: with none pending, it settles now. */
  seal(): void {
    this.sealed = true;
    this.settleIfDone();
  }

  arrived(): void {
    this.pending -= 1;
    this.settleIfDone();
  }

  fail(error: Error): void {
    if (this.done) return;
    this.done = true;
    this.reject(error);
  }

  private settleIfDone(): void {
    if (this.done || !this.sealed || this.pending > 0) return;
    this.done = true;
    this.resolve();
  }
}

/**
 * The receipts waiting on one group's partition, in offset order (publishes append in order), so
 * a commit settles them by popping from the front: its cost is what it settles, never a scan of
 * everything still waiting.
 */
export class ReceiptQueue {
  private waiting: Array<{ offset: number; receipt: Receipt }> = [];
  private head = 0;

  add(offset: number, receipt: Receipt): void {
    receipt.expect();
    this.waiting.push({ offset, receipt });
  }

  /** Settles every receipt whose last record here is below `committed`. */
  settleBefore(committed: number): void {
    while (this.head < this.waiting.length && this.waiting[this.head]!.offset < committed) {
      this.waiting[this.head]!.receipt.arrived();
      this.head += 1;
    }
    // Drop the settled head in bulk, so a queue that is never empty does not grow forever.
    if (this.head >= 1_024 && this.head * 2 >= this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
  }

  failAll(error: Error): void {
    const waiting = this.waiting.slice(this.head);
    this.waiting = [];
    this.head = 0;
    for (const { receipt } of waiting) receipt.fail(error);
  }
}
