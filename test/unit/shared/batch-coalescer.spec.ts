import { BatchCoalescer } from "../../../services/shared/messaging/batch-coalescer";
import type { IncomingRecord } from "../../../services/shared/messaging/message-bus.port";

const records = (topic: string, partition: number, count: number, from = 0): IncomingRecord[] =>
  Array.from({ length: count }, (_, index) => ({
    topic,
    partition,
    offset: String(from + index),
    key: `k${partition}`,
    value: Buffer.from(`${topic}/${partition}/${from + index}`),
    headers: {},
  }));
const names = (batch: readonly IncomingRecord[]) => batch.map((record) => record.value!.toString());

describe("BatchCoalescer", () => {
  it("delivers the batches handed over in one turn as one, each partition's records in order", async () => {
    const delivered: string[][] = [];
    const coalescer = new BatchCoalescer(500, async (batch) => void delivered.push(names(batch)));
    await Promise.all([
      coalescer.add(records("a", 0, 2)),
      coalescer.add(records("a", 1, 1)),
      coalescer.add(records("b", 0, 2)),
    ]);
    expect(delivered).toEqual([["a/0/0", "a/0/1", "a/1/0", "b/0/0", "b/0/1"]]);
  });

  it("never puts more than maxRecords in one delivery (a larger batch goes alone)", async () => {
    const sizes: number[] = [];
    const coalescer = new BatchCoalescer(5, async (batch) => void sizes.push(batch.length));
    await Promise.all([
      coalescer.add(records("a", 0, 3)),
      coalescer.add(records("a", 1, 2)),
      coalescer.add(records("a", 2, 4)),
      coalescer.add(records("a", 3, 7)),
    ]);
    expect(sizes).toEqual([5, 4, 7]);
  });

  it("fails every batch of a failed delivery, and only those", async () => {
    const coalescer = new BatchCoalescer(3, async (batch) => {
      if (batch.some((record) => record.topic === "bad")) throw new Error("database unavailable");
    });
    const outcomes = await Promise.allSettled([
      coalescer.add(records("bad", 0, 2)),
      coalescer.add(records("good", 0, 1)),
      coalescer.add(records("good", 1, 3)),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      "rejected",
      "rejected",
      "fulfilled",
    ]);
  });

  it("keeps batches of later turns apart", async () => {
    const delivered: string[][] = [];
    const coalescer = new BatchCoalescer(500, async (batch) => void delivered.push(names(batch)));
    await coalescer.add(records("a", 0, 1));
    await coalescer.add(records("a", 0, 1, 1));
    expect(delivered).toEqual([["a/0/0"], ["a/0/1"]]);
  });
});
