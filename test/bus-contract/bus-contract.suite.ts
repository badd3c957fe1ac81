import { randomUUID } from "node:crypto";
import type {
  IncomingRecord,
  MessageBus,
  Subscription,
} from "../../services/shared/messaging/message-bus.port";
import { eventually } from "../support/eventually";

/**
 * The promises of services/shared/messaging/message-bus.port.ts, run against every adapter
 * (in-process-bus.spec.ts, kafka-bus.spec.ts). Each test uses topics and groups of its own.
 */
export function describeBusContract(
  adapter: string,
  createBus: () => Promise<MessageBus>,
  timeoutMs = 20_000,
): void {
  describe(`${adapter}: message bus contract`, () => {
    let bus: MessageBus;
    let subscriptions: Subscription[];

    beforeEach(async () => {
      bus = await createBus();
      subscriptions = [];
    });
    afterEach(async () => {
      for (const subscription of subscriptions) await subscription.close();
      await bus.close();
    });

    const freshTopic = async () => {
      const topic = `contract.${randomUUID().slice(0, 8)}`;
      await bus.ensureTopics([topic]);
      return topic;
    };
    const freshGroup = () => `group-${randomUUID().slice(0, 8)}`;
    const consume = async (
      topic: string,
      groupId: string,
      handler: (record: IncomingRecord) => Promise<void> | void,
    ) => {
      // Record by record, as a consumer runner does: a throw fails (and redelivers) the batch.
      const subscription = await bus.subscribe({
        groupId,
        topics: [topic],
        handler: async (records) => {
          for (const record of records) await handler(record);
        },
      });
      subscriptions.push(subscription);
      return subscription;
    };
    const text = (record: IncomingRecord) => record.value?.toString() ?? "";

    it("delivers key, value and headers as they were published", async () => {
      const topic = await freshTopic();
      const received: IncomingRecord[] = [];
      await consume(topic, freshGroup(), (record) => void received.push(record));
      await bus.publish([
        {
          topic,
          key: "order-1",
          value: '{"hello":"world"}',
          headers: { "message-type": "Greeting" },
        },
      ]);

      await eventually(() => expect(received).toHaveLength(1), timeoutMs);
      expect(received[0]).toMatchObject({
        topic,
        key: "order-1",
        headers: { "message-type": "Greeting" },
      });
      expect(text(received[0]!)).toBe('{"hello":"world"}');
      expect(received[0]!.partition).toEqual(expect.any(Number));
      expect(received[0]!.offset).toEqual(expect.any(String));
    });

    it("keeps the publish order of records with the same key", async () => {
      const topic = await freshTopic();
      const seen = new Map<string, number[]>();
      await consume(topic, freshGroup(), async (record) => {
        // Uneven handling time must not reorder one key's records.
        if (Math.random() < 0.3) await new Promise((resolve) => setTimeout(resolve, 5));
        const [key, sequence] = text(record).split(":");
        seen.set(key!, [...(seen.get(key!) ?? []), Number(sequence)]);
      });
      const keys = ["a", "b", "c", "d"];
      for (let batch = 0; batch < 3; batch += 1) {
        await bus.publish(
          Array.from({ length: 20 }, (_, index) => {
            const key = keys[index % keys.length]!;
            return { topic, key, value: `${key}:${batch * 20 + index}` };
          }),
        );
      }
      await eventually(() => expect([...seen.values()].flat()).toHaveLength(60), timeoutMs);
      for (const sequences of seen.values())
        expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    });

    it("gives every consumer group every record", async () => {
      const topic = await freshTopic();
      const first: string[] = [];
      const second: string[] = [];
      await consume(topic, freshGroup(), (record) => void first.push(text(record)));
      await consume(topic, freshGroup(), (record) => void second.push(text(record)));
      const values = Array.from({ length: 10 }, (_, index) => `record-${index}`);
      await bus.publish(values.map((value, index) => ({ topic, key: `k${index}`, value })));

      await eventually(() => {
        expect([...first].sort()).toEqual([...values].sort());
        expect([...second].sort()).toEqual([...values].sort());
      }, timeoutMs);
    });

    it("hands each record to one member of a group", async () => {
      const topic = await freshTopic();
      const group = freshGroup();
      const handled: string[] = [];
      await consume(topic, group, (record) => void handled.push(text(record)));
      await consume(topic, group, (record) => void handled.push(text(record)));
      const values = Array.from({ length: 24 }, (_, index) => `record-${index}`);
      await bus.publish(values.map((value, index) => ({ topic, key: `key-${index}`, value })));

      await eventually(() => expect(new Set(handled).size).toBe(values.length), timeoutMs);
      expect(handled).toHaveLength(values.length);
    });

    it("redelivers a batch whose handler failed, and holds later records of its key until then", async () => {
      const topic = await freshTopic();
      const attempts: string[] = [];
      let failuresLeft = 2;
      await consume(topic, freshGroup(), (record) => {
        attempts.push(text(record));
        if (text(record) === "first" && failuresLeft-- > 0) throw new Error("transient");
      });
      await bus
        .publish([
          { topic, key: "same", value: "first" },
          { topic, key: "same", value: "second" },
        ])
        .catch(() => undefined); // the in-process bus resolves after consumption; either way is fine here

      await eventually(
        () => expect(attempts).toEqual(["first", "first", "first", "second"]),
        timeoutMs,
      );
    });

    it("reports a group's lag per partition: what it has not committed yet, and 0 once handled", async () => {
      const topic = await freshTopic();
      const group = freshGroup();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await consume(topic, group, () => held);
      // Not awaited: the in-process bus resolves a publish only once it has been consumed.
      const published = bus.publish(["a", "b", "c"].map((value) => ({ topic, key: "k", value })));
      published.catch(() => undefined);
      const lagOf = async () =>
        (await bus.consumerLag(group, [topic])).reduce((sum, partition) => sum + partition.lag, 0);
      await eventually(async () => expect(await lagOf()).toBe(3), timeoutMs);
      release();
      await published;
      await eventually(async () => expect(await lagOf()).toBe(0), timeoutMs);
    });

    it("lets a group that subscribes late read what was published before it existed", async () => {
      const topic = await freshTopic();
      await bus.publish([{ topic, key: "early", value: "before anyone listened" }]);
      const received: string[] = [];
      await consume(topic, freshGroup(), (record) => void received.push(text(record)));
      await eventually(() => expect(received).toEqual(["before anyone listened"]), timeoutMs);
    });

    it("continues a group after its committed offset when a new member takes over", async () => {
      const topic = await freshTopic();
      const group = freshGroup();
      const firstMember: string[] = [];
      const leaving = await consume(topic, group, (record) => void firstMember.push(text(record)));
      await bus.publish(["one", "two", "three"].map((value) => ({ topic, key: "k", value })));
      await eventually(() => expect(firstMember).toEqual(["one", "two", "three"]), timeoutMs);
      await leaving.close();
      subscriptions.splice(subscriptions.indexOf(leaving), 1);

      const nextMember: string[] = [];
      await consume(topic, group, (record) => void nextMember.push(text(record)));
      await bus.publish(["four", "five"].map((value) => ({ topic, key: "k", value })));
      await eventually(() => expect(nextMember).toEqual(["four", "five"]), timeoutMs);
    });

    it("hands over consecutive records of one partition per batch, at most maxBatchSize", async () => {
      const topic = await freshTopic();
      const batches: IncomingRecord[][] = [];
      const published = Array.from({ length: 30 }, (_, index) => `v${index}`);
      await bus.publish(published.map((value) => ({ topic, key: "one-key", value })));
      subscriptions.push(
        await bus.subscribe({
          groupId: freshGroup(),
          topics: [topic],
          maxBatchSize: 8,
          handler: async (records) => void batches.push([...records]),
        }),
      );
      await eventually(() => expect(batches.flat()).toHaveLength(30), timeoutMs);
      expect(batches.flat().map(text)).toEqual(published);
      for (const batch of batches) {
        expect(batch.length).toBeLessThanOrEqual(8);
        expect(new Set(batch.map((record) => record.partition)).size).toBe(1);
      }
    });

    it("a member joining while batches are in flight loses no record and keeps each key's order", async () => {
      const topic = await freshTopic();
      const group = freshGroup();
      const seen = new Map<string, number[]>();
      const slowly = async (record: IncomingRecord) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        const [key, sequence] = text(record).split(":");
        seen.set(key!, [...(seen.get(key!) ?? []), Number(sequence)]);
      };
      await consume(topic, group, slowly);
      const keys = Array.from({ length: 8 }, (_, index) => `key-${index}`);
      const publishRound = (round: number) =>
        bus
          .publish(keys.map((key) => ({ topic, key, value: `${key}:${round}` })))
          .catch(() => undefined); // in process: may settle only once consumed
      for (let round = 0; round < 10; round += 1) void publishRound(round);
      await consume(topic, group, slowly); // a rebalance while the first member is busy
      for (let round = 10; round < 20; round += 1) void publishRound(round);

      await eventually(() => {
        for (const key of keys) expect(new Set(seen.get(key))).toHaveProperty("size", 20);
      }, timeoutMs);
      // At least once: a record may be seen twice after a rebalance, but never out of order
      // with respect to the records of its key that came after it.
      for (const sequences of seen.values()) {
        const firstSeen = sequences.filter((value, index) => sequences.indexOf(value) === index);
        expect(firstSeen).toEqual([...firstSeen].sort((a, b) => a - b));
      }
    });

    it("refuses to publish to a topic that was never created", async () => {
      expect.assertions(1);
      await expect(
        bus.publish([{ topic: `missing.${randomUUID()}`, key: "k", value: "v" }]),
      ).rejects.toThrow();
    });

    it("reports itself healthy while connected (once its consumers have joined)", async () => {
      await eventually(async () => expect(await bus.isHealthy()).toBe(true), 30_000);
    });
  });
}
