import { nextTurn, Received, track } from "../support/async";
import { busWith, gated, record } from "../support/in-process-bus.fixture";

describe("InProcessBus publish", () => {
  it("resolves only after every subscribed group has consumed the record", async () => {
    const bus = await busWith(["t"]);
    const fast = new Received();
    const slow = gated(new Received());
    await bus.subscribe({ groupId: "fast", topics: ["t"], handler: fast.handler });
    await bus.subscribe({ groupId: "slow", topics: ["t"], handler: slow.handler });

    const publishing = bus.publish([record("v1")]);
    const published = track(publishing);
    await fast.until(1);
    await slow.started;
    await nextTurn();
    expect(published.state).toBe("pending");

    slow.open();
    await publishing;
  });

  it("rejects at once when a known group has no running member, and appends nothing", async () => {
    const bus = await busWith(["t"]);
    const before = new Received();
    const subscription = await bus.subscribe({
      groupId: "g",
      topics: ["t"],
      handler: before.handler,
    });
    await subscription.close();

    // The outbox row stays pending and is published again once the group is back.
    await expect(bus.publish([record("v1")])).rejects.toThrow(/consumer group g is not running/);

    const after = new Received();
    await bus.subscribe({ groupId: "g", topics: ["t"], handler: after.handler });
    await bus.publish([record("v2")]);
    expect(after.values).toEqual(["v2"]);
    expect(before.values).toEqual([]);
  });

  it("resolves each of several publishes in flight as soon as its own records are consumed", async () => {
    const bus = await busWith(["t"], 1);
    const consumer = gated(new Received());
    await bus.subscribe({
      groupId: "g",
      topics: ["t"],
      handler: consumer.handler,
      maxBatchSize: 1,
    });
    const first = bus.publish([record("v1")]);
    const second = track(bus.publish([record("v2")]));
    await consumer.started;
    expect(second.state).toBe("pending");
    consumer.open();
    await first;
    await nextTurn();
    await nextTurn();
    expect(second.state).toBe("resolved");
  });

  it("resolves at once on a topic no group ever subscribed to, keeping the record for a later group", async () => {
    const bus = await busWith(["t"]);
    await bus.publish([record("dead letter")]);

    const late = new Received();
    await bus.subscribe({ groupId: "dlt-reader", topics: ["t"], handler: late.handler });
    await late.until(1);
    expect(late.values).toEqual(["dead letter"]);
  });

  it("rejects a record for a topic that was never created", async () => {
    const bus = await busWith(["t"]);
    await expect(bus.publish([{ topic: "nope", key: "k", value: "v" }])).rejects.toThrow(
      /nope does not exist/,
    );
  });
});

describe("InProcessBus shutdown", () => {
  it("close() rejects a publish still waiting for its consumer, and later publishes", async () => {
    const bus = await busWith(["t"]);
    const consumer = gated(new Received());
    await bus.subscribe({ groupId: "g", topics: ["t"], handler: consumer.handler });
    const rejected = expect(bus.publish([record("v1")])).rejects.toThrow(/the bus is closed/);
    await consumer.started;

    await bus.close();
    await rejected;
    await expect(bus.publish([record("v2")])).rejects.toThrow(/the bus is closed/);
    expect(await bus.isHealthy()).toBe(false);
    consumer.open();
  });

  it("the last member leaving rejects the publish it had not finished", async () => {
    const bus = await busWith(["t"]);
    const consumer = gated(new Received());
    const subscription = await bus.subscribe({
      groupId: "g",
      topics: ["t"],
      handler: consumer.handler,
    });
    const rejected = expect(bus.publish([record("v1")])).rejects.toThrow(/no members left/);
    await consumer.started;

    await subscription.close();
    await rejected;
    consumer.open();
  });
});
