import { randomUUID } from "node:crypto";
import { QueryTypes, type Sequelize } from "sequelize";
import { OrderConfirmedContract } from "../../contracts";
import type { MessageBus, OutgoingRecord } from "../../services/shared/messaging/message-bus.port";
import { appendToOutbox, outgoingMessage } from "../../services/shared/messaging/outbox";
import { OutboxRelay } from "../../services/shared/messaging/outbox-relay";
import { eventually } from "../support/eventually";
import { messagingDatabase } from "../support/messaging-db";

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

let sequelize: Sequelize;
beforeAll(async () => {
  ({ sequelize } = await messagingDatabase("relay"));
});
afterAll(() => sequelize.close());
beforeEach(() => sequelize.query("TRUNCATE outbox"));

/** A bus that records what it was asked to publish, slowly, and can be told to fail. */
class RecordingBus implements Pick<MessageBus, "publish"> {
  published: OutgoingRecord[] = [];
  failing = false;
  async publish(records: OutgoingRecord[]): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.failing) throw new Error("broker unavailable");
    this.published.push(...records);
  }
}

async function commitMessages(count: number): Promise<string[]> {
  const ids: string[] = [];
  await sequelize.transaction(async (transaction) => {
    const messages = Array.from({ length: count }, () => {
      const orderId = randomUUID();
      const message = outgoingMessage(
        OrderConfirmedContract,
        { orderId, confirmedAt: new Date().toISOString() },
        { correlationId: orderId, causationId: "test" },
      );
      ids.push(message.envelope.messageId);
      return message;
    });
    await appendToOutbox(sequelize, transaction, messages);
  });
  return ids;
}

const relayOn = (bus: RecordingBus, batchSize = 10) =>
  new OutboxRelay({
    sequelize,
    bus: bus as unknown as MessageBus,
    batchSize,
    pollIntervalMs: 50,
    logger: quiet,
  });
const pending = async () =>
  (
    await sequelize.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL",
      { type: QueryTypes.SELECT },
    )
  )[0]!.n;

describe("OutboxRelay", () => {
  it("publishes committed rows once and marks them sent, in commit order", async () => {
    const ids = await commitMessages(25);
    const bus = new RecordingBus();
    const relay = relayOn(bus);
    relay.start();
    await eventually(async () => expect(await pending()).toBe(0));
    await relay.stop();
    expect(bus.published.map((record) => record.headers!["message-id"])).toEqual(ids);
  });

  it("shares the rows between two relays on one database without publishing any twice", async () => {
    const ids = await commitMessages(200);
    const buses = [new RecordingBus(), new RecordingBus()];
    const relays = buses.map((bus) => relayOn(bus, 5));
    relays.forEach((relay) => relay.start());
    await eventually(async () => expect(await pending()).toBe(0));
    await Promise.all(relays.map((relay) => relay.stop()));

    const published = buses.flatMap((bus) =>
      bus.published.map((record) => record.headers!["message-id"]),
    );
    expect(published).toHaveLength(ids.length);
    expect(new Set(published)).toEqual(new Set(ids));
    expect(buses.every((bus) => bus.published.length > 0)).toBe(true);
  });

  it("keeps rows pending while publishing fails, counts the failures, and sends them once it works", async () => {
    await commitMessages(3);
    const bus = new RecordingBus();
    bus.failing = true;
    const relay = relayOn(bus);
    relay.start();
    await eventually(async () => {
      const [row] = await sequelize.query<{ failed_attempts: number; last_error: string }>(
        "SELECT failed_attempts, last_error FROM outbox ORDER BY id LIMIT 1",
        { type: QueryTypes.SELECT },
      );
      expect(row!.failed_attempts).toBeGreaterThanOrEqual(2);
      expect(row!.last_error).toBe("broker unavailable");
    });
    expect(await pending()).toBe(3);

    bus.failing = false;
    await eventually(async () => expect(await pending()).toBe(0));
    await relay.stop();
    expect(bus.published).toHaveLength(3);
  });

  it("publishes right after a kick, without waiting for the poll", async () => {
    const bus = new RecordingBus();
    const relay = new OutboxRelay({
      sequelize,
      bus: bus as unknown as MessageBus,
      batchSize: 10,
      pollIntervalMs: 60_000,
      logger: quiet,
    });
    relay.start();
    await eventually(async () => expect(await pending()).toBe(0));
    await commitMessages(1);
    relay.kick();
    await eventually(() => expect(bus.published).toHaveLength(1), 2_000);
    await relay.stop();
  });
});
