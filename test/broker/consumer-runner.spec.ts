import { randomUUID } from "node:crypto";
import { ConnectionRefusedError, QueryTypes, type Sequelize } from "sequelize";
import {
  OrderConfirmedContract,
  Topics,
  type Envelope,
  type OrderConfirmed,
} from "../../contracts";
import {
  ConsumerRunner,
  consumerOf,
  MessageRejectedError,
} from "../../services/shared/messaging/consumer-runner";
import { DeadLetterStore } from "../../services/shared/messaging/dead-letters";
import { InProcessBus } from "../../services/shared/messaging/in-process-bus";
import { eventually } from "../support/eventually";
import { messagingDatabase } from "../support/messaging-db";

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const GROUP = "runner-test";

let sequelize: Sequelize;
let bus: InProcessBus;
let runner: ConsumerRunner;
let handled: string[];
let behaviour: (envelope: Envelope<OrderConfirmed>) => Promise<void>;

beforeAll(async () => {
  ({ sequelize } = await messagingDatabase("runner"));
});
afterAll(() => sequelize.close());

beforeEach(async () => {
  await sequelize.query("TRUNCATE inbox, dead_letters");
  handled = [];
  behaviour = async () => undefined;
  bus = new InProcessBus({ partitions: 2, retryDelayMs: 5 });
  await bus.ensureTopics([Topics.orderConfirmed, `${Topics.orderConfirmed}.DLT`]);
  runner = new ConsumerRunner({
    groupId: GROUP,
    sequelize,
    bus,
    deadLetters: new DeadLetterStore(sequelize, bus, GROUP),
    maxAttempts: 3,
    retryBaseMs: 5,
    logger: quiet,
    afterCommit: () => undefined,
  });
  await runner.start([
    consumerOf(OrderConfirmedContract, async (envelope) => {
      await behaviour(envelope);
      handled.push(envelope.messageId);
    }),
  ]);
});
afterEach(async () => {
  await runner.stop();
  await bus.close();
});

const confirmed = () => {
  const orderId = randomUUID();
  return OrderConfirmedContract.envelope(
    { orderId, confirmedAt: new Date().toISOString() },
    { correlationId: orderId, causationId: "test" },
  );
};
const deliver = (envelope: Envelope | string | Buffer) =>
  bus.publish([
    {
      topic: Topics.orderConfirmed,
      key: "k",
      value:
        Buffer.isBuffer(envelope) || typeof envelope === "string"
          ? envelope
          : JSON.stringify(envelope),
    },
  ]);
const deadLetters = () =>
  sequelize.query<{ error_code: string; attempts: number; value: Buffer }>(
    "SELECT error_code, attempts, value FROM dead_letters ORDER BY id",
    {
      type: QueryTypes.SELECT,
    },
  );
const inboxHas = async (messageId: string) =>
  (
    await sequelize.query("SELECT 1 FROM inbox WHERE message_id = $1", {
      bind: [messageId],
      type: QueryTypes.SELECT,
    })
  ).length === 1;

describe("ConsumerRunner", () => {
  it("runs the handler once for a message delivered twice (the inbox stops the second)", async () => {
    const envelope = confirmed();
    await deliver(envelope);
    await deliver(envelope);
    expect(handled).toEqual([envelope.messageId]);
    expect(await inboxHas(envelope.messageId)).toBe(true);
  });

  it("retries a failing handler and succeeds without a dead letter", async () => {
    let failures = 2;
    behaviour = async () => {
      if (failures-- > 0) throw new Error("flaky");
    };
    const envelope = confirmed();
    await deliver(envelope);
    expect(handled).toEqual([envelope.messageId]);
    expect(await deadLetters()).toEqual([]);
  });

  it("dead-letters as HANDLER_FAILED after the last attempt, and records nothing in the inbox", async () => {
    behaviour = async () => {
      throw new Error("always broken");
    };
    const envelope = confirmed();
    await deliver(envelope);
    expect(await deadLetters()).toMatchObject([{ error_code: "HANDLER_FAILED", attempts: 3 }]);
    expect(await inboxHas(envelope.messageId)).toBe(false);
  });

  it("dead-letters a rejection at once and rolls its transaction back", async () => {
    behaviour = async () => {
      throw new MessageRejectedError("ILLEGAL_SAGA_TRANSITION", "cannot");
    };
    const envelope = confirmed();
    await deliver(envelope);
    expect(await deadLetters()).toMatchObject([
      { error_code: "ILLEGAL_SAGA_TRANSITION", attempts: 1 },
    ]);
    expect(await inboxHas(envelope.messageId)).toBe(false);
  });

  it("hands a record back to the bus while the database is unreachable, dead-lettering nothing", async () => {
    let outage = 5; // more than maxAttempts: the runner's own retries would have parked it
    behaviour = async () => {
      if (outage-- > 0)
        throw new ConnectionRefusedError(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
    };
    const envelope = confirmed();
    await deliver(envelope);
    expect(handled).toEqual([envelope.messageId]);
    expect(await deadLetters()).toEqual([]);
  });

  it("parks a binary record (NUL bytes, Java serialization magic) with its exact bytes, once", async () => {
    const garbage = Buffer.from([0xac, 0xed, 0x00, 0x05, 0x73, 0x72, 0x00]);
    await deliver(garbage);
    const letters = await deadLetters();
    expect(letters).toHaveLength(1);
    expect(letters[0]!.error_code).toBe("MALFORMED_JSON");
    expect(Buffer.compare(letters[0]!.value, garbage)).toBe(0);

    const next = confirmed();
    await deliver(next);
    expect(handled).toEqual([next.messageId]);
  });

  it("replays a dead letter's exact bytes; once the cause is fixed the message is handled", async () => {
    let broken = true;
    behaviour = async () => {
      if (broken) throw new MessageRejectedError("NOT_YET", "not yet");
    };
    const envelope = confirmed();
    await deliver(envelope);
    const [row] = await sequelize.query<{ id: number }>("SELECT id FROM dead_letters", {
      type: QueryTypes.SELECT,
    });

    broken = false;
    const store = new DeadLetterStore(sequelize, bus, GROUP);
    expect(await store.replay(row!.id)).toEqual({ sourceTopic: Topics.orderConfirmed });
    await eventually(() => expect(handled).toEqual([envelope.messageId]));
    const [replayed] = await store.list(1);
    expect(replayed!.replayedAt).not.toBeNull();
  });

  it("parks the same source record only once, however often it is parked", async () => {
    const store = new DeadLetterStore(sequelize, bus, GROUP);
    const record = {
      topic: Topics.orderConfirmed,
      partition: 0,
      offset: "run:7",
      key: "k",
      value: Buffer.from("x"),
      headers: {},
    };
    await store.park(record, { code: "HANDLER_FAILED", message: "boom", attempts: 3 });
    await store.park(record, { code: "HANDLER_FAILED", message: "boom", attempts: 3 });
    expect(await deadLetters()).toHaveLength(1);
  });
});
