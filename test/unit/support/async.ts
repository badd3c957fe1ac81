import type {
  BatchHandler,
  IncomingRecord,
} from "../../../services/shared/messaging/message-bus.port";

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

/** One turn of the event loop: enough for anything already settled to be observed. */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Watches a promise so a test can say it is still pending, without awaiting it. */
export function track(promise: Promise<unknown>): {
  readonly state: "pending" | "resolved" | "rejected";
} {
  const tracked = { state: "pending" as "pending" | "resolved" | "rejected" };
  promise.then(
    () => (tracked.state = "resolved"),
    () => (tracked.state = "rejected"),
  );
  return tracked;
}

/** A consumer that records what it received; `until(n)` resolves once n records arrived. */
export class Received {
  readonly records: IncomingRecord[] = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  readonly handler: BatchHandler = async (batch) => {
    this.records.push(...batch);
    this.waiters = this.waiters.filter((waiter) => {
      if (this.records.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  };

  get values(): string[] {
    return this.records.map((record) => record.value?.toString() ?? "<null>");
  }

  until(count: number): Promise<void> {
    if (this.records.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}
