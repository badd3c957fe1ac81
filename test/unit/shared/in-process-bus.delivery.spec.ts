import type { BatchHandler } from "../../../services/shared/messaging/message-bus.port";
import { nextTurn, Received } from "../support/async";
import { busWith, gated, record } from "../support/in-process-bus.fixture";

describe("InProcessBus delivery", () => {
  it("redelivers the same batch after its handler throws; later records of the partition wait", async () => {
    const bus = await busWith(["t"], 1);
    const seen: string[] = [];
    let failuresLeft = 2;
    await bus.subscribe({
      groupId: "g",
      topics: ["t"],
      handler: async (batch) => {
        for (const incoming of batch) {
          seen.push(`${incoming.value?.toString()}@${incoming.offset.split(":")[1]}`);
          if (incoming.value?.toString() === "r1" && failuresLeft-- > 0)
            throw new Error("transient");
        }
      },
    });

    await bus.publish([record("r1", "a"), record("r2", "b")]);
    expect(seen).toEqual(["r1@0", "r1@0", "r1@0", "r2@1"]);
  });

  it("hands a partition's backlog over in batches of at most maxBatchSize, in offset order", async () => {
    const bus = await busWith(["t"], 1);
    const gate = gated(new Received());
    const batches: string[][] = [];
    // The first batch is held open, so the next 7 records queue up behind it.
    let first = true;
    await bus.subscribe({
      groupId: "g",
      topics: ["t"],
      maxBatchSize: 3,
      handler: async (batch) => {
        batches.push(batch.map((incoming) => incoming.value!.toString()));
        if (first) {
          first = false;
          await gate.handler(batch);
        }
      },
    });
    const publishing = bus.publish([record("v0")]);
    await gate.started;
    const rest = bus.publish(Array.from({ length: 7 }, (_, n) => record(`v${n + 1}`)));
    gate.open();
    await Promise.all([publishing, rest]);
    expect(batches).toEqual([["v0"], ["v1", "v2", "v3"], ["v4", "v5", "v6"], ["v7"]]);
  });

  it("delivers records of one key in publish order to each of two groups", async () => {
    const bus = await busWith(["t"], 4);
    const groups = [new Received(), new Received()];
    // Uneven handler durations would reorder records if a partition were consumed concurrently.
    const slowly =
      (into: Received): BatchHandler =>
      async (batch) => {
        for (const incoming of batch) {
          for (let turn = Number(incoming.value?.toString().split("#")[1]) % 3; turn > 0; turn -= 1)
            await nextTurn();
          await into.handler([incoming]);
        }
      };
    await bus.subscribe({ groupId: "g1", topics: ["t"], handler: slowly(groups[0]!) });
    await bus.subscribe({ groupId: "g2", topics: ["t"], handler: slowly(groups[1]!) });

    const keys = ["order-a", "order-b", "order-c"];
    const sent = keys.flatMap((key) => [0, 1, 2, 3, 4].map((n) => record(`${key}#${n}`, key)));
    await Promise.all(sent.map((one) => bus.publish([one])));

    for (const group of groups) {
      expect(group.values).toHaveLength(sent.length);
      for (const key of keys) {
        const ofKey = group.records.filter((incoming) => incoming.key === key);
        expect(ofKey.map((incoming) => incoming.value?.toString())).toEqual(
          [0, 1, 2, 3, 4].map((n) => `${key}#${n}`),
        );
        expect(new Set(ofKey.map((incoming) => incoming.partition)).size).toBe(1);
      }
    }
  });

  it("gives each record to one member of a group", async () => {
    const bus = await busWith(["t"], 4);
    const members = [new Received(), new Received()];
    for (const member of members)
      await bus.subscribe({ groupId: "g", topics: ["t"], handler: member.handler });

    const sent = Array.from({ length: 12 }, (_, n) => record(`v${n}`, `order-${n}`));
    await bus.publish(sent);
    const delivered = members.flatMap((member) => member.values).sort();
    expect(delivered).toEqual(sent.map((one) => one.value).sort());
  });
});

describe("InProcessBus retention", () => {
  it("trimming after a fast group keeps the records a slower group has not consumed", async () => {
    const bus = await busWith(["t"], 1);
    const fast = new Received();
    const slowReceived = new Received();
    const slow = gated(slowReceived);
    await bus.subscribe({ groupId: "fast", topics: ["t"], handler: fast.handler });
    await bus.subscribe({ groupId: "slow", topics: ["t"], handler: slow.handler });

    const publishing = Promise.all([bus.publish([record("v1")]), bus.publish([record("v2")])]);
    await fast.until(2);
    slow.open();
    await publishing;
    expect(slowReceived.values).toEqual(["v1", "v2"]);
  });

  it("a group that stops before consuming keeps its records while another group consumes and trims", async () => {
    const bus = await busWith(["t"], 1);
    const running = new Received();
    await bus.subscribe({ groupId: "running", topics: ["t"], handler: running.handler });
    const stopping = gated(new Received());
    const subscription = await bus.subscribe({
      groupId: "stopping",
      topics: ["t"],
      handler: stopping.handler,
    });

    const publishing = bus.publish([record("v1")]);
    await running.until(1);
    await stopping.started;
    await subscription.close();
    await expect(publishing).rejects.toThrow(/no members left/);
    stopping.open();

    const restarted = new Received();
    await bus.subscribe({ groupId: "stopping", topics: ["t"], handler: restarted.handler });
    await restarted.until(1);
    expect(restarted.values).toEqual(["v1"]);
  });

  it("drains a 20,000-record backlog in order, in batches of at most 500", async () => {
    const bus = await busWith(["t"], 1);
    const received = new Received();
    const consumer = gated(received);
    const sizes: number[] = [];
    await bus.subscribe({
      groupId: "g",
      topics: ["t"],
      handler: async (batch) => {
        sizes.push(batch.length);
        await consumer.handler(batch);
      },
    });
    const sent = Array.from({ length: 20_000 }, (_, n) => record(`v${n}`));
    const publishing = Promise.all([bus.publish(sent.slice(0, 1)), bus.publish(sent.slice(1))]);
    await consumer.started;
    consumer.open();
    await publishing;
    expect(received.values).toEqual(sent.map((one) => one.value));
    expect(Math.max(...sizes)).toBe(500);
  });
});
