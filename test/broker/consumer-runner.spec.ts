import { randomUUID } from "node:crypto";
import { ConnectionRefusedError } from "sequelize";
import {
  OrderCancelledContract,
  OrderConfirmedContract,
  Topics,
  type Envelope,
  type OrderConfirmed,
} from "../../contracts";
import type { SqlDatabase, SqlExecutor } from "../../services/shared/db/sql-database";
import type { UnitOfWork } from "../../services/shared/db/unit-of-work";
import { DatabaseConnectionError } from "../../services/shared/db/database-faults";
import { ConsumerRunner, consumerOf } from "../../services/shared/messaging/consumer-runner";
import { MessageRejectedError } from "../../services/shared/messaging/message-rejected.error";
import { DeadLetterStore } from "../../services/shared/messaging/dead-letters";
import { InProcessBus } from "../../services/shared/messaging/in-process-bus";
import type { MessageBus } from "../../services/shared/messaging/message-bus.port";
import { eventually } from "../support/eventually";
import { messagingDatabase } from "../support/messaging-db";
import { quietLogger } from "../support/quiet-logger";

const GROUP = "runner-test";

/** What the runner asked of the unit of work, per transaction, and what the handlers did in it. */
class RecordingUnitOfWork implements UnitOfWork {
  static opened: RecordingUnitOfWork[] = [];
  prefetched: string[] = [];
  handled: string[] = [];
  flushed = 0;
  /** The batch's transaction, for a handler that needs the database to fail for real. */
  constructor(readonly sql: SqlExecutor) {
    RecordingUnitOfWork.opened.push(this);
  }
  async prefetch(orderIds: readonly string[]): Promise<void> {
    this.prefetched.push(...orderIds);
  }
  async flush(): Promise<number[]> {
    this.flushed += 1;
    return [];
  }
}

let database: SqlDatabase;
let bus: InProcessBus;
let runner: ConsumerRunner<RecordingUnitOfWork>;
/** Message ids whose handling committed, in commit order. */
let handled: string[];
let behaviour: (envelope: Envelope<OrderConfirmed>, work: RecordingUnitOfWork) => Promise<void>;

beforeAll(async () => {
  database = await messagingDatabase("runner");
});
afterAll(() => database.close());

async function startRunner(
  subscribeThrough: MessageBus = bus,
  confirmedContract: typeof OrderConfirmedContract = OrderConfirmedContract,
  pauseAfterMs = 60_000,
): Promise<void> {
  runner = new ConsumerRunner({
    groupId: GROUP,
    database,
    unitOfWork: (sql) => new RecordingUnitOfWork(sql),
    bus: subscribeThrough,
    deadLetters: new DeadLetterStore(database, bus, GROUP),
    maxAttempts: 3,
    retryBaseMs: 5,
    batchSize: 50,
    pauseAfterMs,
    logger: quietLogger,
    // Partitions are handled one transaction at a time: the last one opened just committed.
    afterCommit: () => handled.push(...RecordingUnitOfWork.opened.at(-1)!.handled),
  });
  await runner.start([
    consumerOf(confirmedContract, async (envelope, work: RecordingUnitOfWork) => {
      await behaviour(envelope, work);
      work.handled.push(envelope.messageId);
    }),
    consumerOf(OrderCancelledContract, async (envelope, work: RecordingUnitOfWork) => {
      work.handled.push(envelope.messageId);
    }),
  ]);
}

beforeEach(async () => {
  await database.query("TRUNCATE inbox, dead_letters");
  handled = [];
  behaviour = async () => undefined;
  RecordingUnitOfWork.opened = [];
  bus = new InProcessBus({ partitions: 2, retryDelayMs: 5 });
  await bus.ensureTopics([
    Topics.orderConfirmed,
    `${Topics.orderConfirmed}.DLT`,
    Topics.orderCancelled,
    `${Topics.orderCancelled}.DLT`,
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
const asRecord = (envelope: Envelope | string | Buffer) => ({
  topic: Topics.orderConfirmed,
  key: "k",
  value:
    Buffer.isBuffer(envelope) || typeof envelope === "string" ? envelope : JSON.stringify(envelope),
});
/** Published together, one key: they reach the runner as one batch. */
const deliver = (...envelopes: Array<Envelope | string | Buffer>) =>
  bus.publish(envelopes.map(asRecord));
const deadLetters = () =>
  database.query<{ error_code: string; attempts: number; value: Buffer }>(
    "SELECT error_code, attempts, value FROM dead_letters ORDER BY id",
  );
const inboxHas = async (messageId: string) =>
  (await database.query("SELECT 1 FROM inbox WHERE message_id = $1", [messageId])).length === 1;

/** Makes the server itself raise `condition` (a SQLSTATE name) on the handler's transaction. */
const raiseOnServer = (work: RecordingUnitOfWork, condition: string) =>
  work.sql.query(`DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '${condition}'; END $$`);

describe("ConsumerRunner and failures, by class", () => {
  beforeEach(() => startRunner());

  it.each(["serialization_failure", "deadlock_detected", "lock_not_available"])(
    "a %s raised by the server is retried in place past the attempt limit, never dead-lettered",
    async (condition) => {
      const [envelope] = [confirmed()];
      let failures = 0;
      behaviour = async (_envelope, work) => {
        // More failures than maxAttempts (3): a bounded retry would have dead-lettered it.
        if (failures < 5) {
          failures += 1;
          await raiseOnServer(work, condition);
        }
      };
      await deliver(envelope!);
      expect(handled).toEqual([envelope!.messageId]);
      expect(failures).toBe(5);
      expect(await deadLetters()).toEqual([]);
    },
  );

  it("a socket error from something else than the database (a provider) is dead-lettered after bounded retries", async () => {
    const envelope = confirmed();
    behaviour = async () => {
      throw Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    };
    await deliver(envelope);
    expect(await deadLetters()).toEqual([
      expect.objectContaining({ error_code: "HANDLER_FAILED", attempts: 3 }),
    ]);
    expect(handled).toEqual([]);
  });
});

describe("ConsumerRunner and a database that stays unreachable", () => {
  beforeEach(() => startRunner(bus, OrderConfirmedContract, 100));

  it("leaves the group after pauseAfterMs, rejoins when the database answers, and loses nothing", async () => {
    const outageEnds = Date.now() + 600;
    behaviour = async () => {
      if (Date.now() < outageEnds)
        throw new DatabaseConnectionError(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
    };
    const envelope = confirmed();
    // While the runner is away the bus refuses the publish (no member); the relay would retry.
    await eventually(() => deliver(envelope), 10_000);
    await eventually(() => expect(handled).toEqual([envelope.messageId]), 10_000);
    expect(runner.pauses).toBeGreaterThanOrEqual(1);
    expect(await deadLetters()).toEqual([]);
  });
});

describe("ConsumerRunner and a decoder that throws", () => {
  beforeEach(() =>
    startRunner(bus, {
      ...OrderConfirmedContract,
      checkPayload: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      },
    }),
  );

  it("parks the record (DECODE_FAILED) instead of handing the error back to the bus forever", async () => {
    const cancelled = OrderCancelledContract.envelope(
      { orderId: randomUUID(), reason: "r", cancelledAt: new Date().toISOString() },
      { correlationId: "c", causationId: "test" },
    );
    await deliver(confirmed());
    await bus.publish([
      { topic: Topics.orderCancelled, key: "k", value: JSON.stringify(cancelled) },
    ]);
    expect(await deadLetters()).toEqual([
      expect.objectContaining({ error_code: "DECODE_FAILED", attempts: 1 }),
    ]);
    expect(handled).toEqual([cancelled.messageId]);
  });
});

describe("ConsumerRunner batches", () => {
  beforeEach(() => startRunner());

  it("handles a batch in one transaction: one prefetch of every order, the handlers, one flush", async () => {
    const envelopes = Array.from({ length: 10 }, confirmed);
    await deliver(...envelopes);
    expect(handled).toEqual(envelopes.map((envelope) => envelope.messageId));
    expect(RecordingUnitOfWork.opened).toHaveLength(1);
    expect(RecordingUnitOfWork.opened[0]).toMatchObject({
      prefetched: envelopes.map((envelope) => envelope.correlationId),
      flushed: 1,
    });
    for (const envelope of envelopes) expect(await inboxHas(envelope.messageId)).toBe(true);
  });

  it("isolates a rejected message in the middle of a batch: the others commit, in order, and it is dead-lettered", async () => {
    const envelopes = Array.from({ length: 5 }, confirmed);
    const poison = envelopes[2]!;
    behaviour = async (envelope) => {
      if (envelope.messageId === poison.messageId)
        throw new MessageRejectedError("ILLEGAL_SAGA_TRANSITION", "cannot");
    };
    await deliver(...envelopes);
    const good = envelopes.filter((envelope) => envelope !== poison);
    expect(handled).toEqual(good.map((envelope) => envelope.messageId));
    expect(await deadLetters()).toMatchObject([{ error_code: "ILLEGAL_SAGA_TRANSITION" }]);
    for (const envelope of good) expect(await inboxHas(envelope.messageId)).toBe(true);
    expect(await inboxHas(poison.messageId)).toBe(false);
  });

  it("dead-letters an undecodable record of a batch and handles the rest together", async () => {
    const envelopes = [confirmed(), confirmed()];
    await deliver(envelopes[0]!, "not json", envelopes[1]!);
    expect(handled).toEqual(envelopes.map((envelope) => envelope.messageId));
    expect(await deadLetters()).toMatchObject([{ error_code: "MALFORMED_JSON" }]);
    expect(RecordingUnitOfWork.opened).toHaveLength(1);
  });

  it("takes batches of two topics handed over together as one transaction", async () => {
    const confirmations = Array.from({ length: 3 }, confirmed);
    const orderId = randomUUID();
    const cancellation = OrderCancelledContract.envelope(
      { orderId, reason: "test", cancelledAt: new Date().toISOString() },
      { correlationId: orderId, causationId: "test" },
    );
    await bus.publish([
      ...confirmations.map(asRecord),
      { topic: Topics.orderCancelled, key: orderId, value: JSON.stringify(cancellation) },
    ]);
    expect(RecordingUnitOfWork.opened).toHaveLength(1);
    expect([...handled].sort()).toEqual(
      [...confirmations.map((envelope) => envelope.messageId), cancellation.messageId].sort(),
    );
  });

  it("runs a message once when the same id appears twice in one batch", async () => {
    const envelope = confirmed();
    const other = confirmed();
    await deliver(envelope, other, envelope);
    expect(handled).toEqual([envelope.messageId, other.messageId]);
  });
});

describe("ConsumerRunner redelivery", () => {
  it("a batch committed but not acknowledged (a crash before the offset commit) is not handled again", async () => {
    // The bus hands the batch over, the runner commits, then the "offset commit" fails once:
    // the bus delivers the very same batch again, as Kafka does after a crash at that moment.
    let lostAcknowledgements = 1;
    const forgetful: MessageBus = {
      kind: bus.kind,
      ensureTopics: (topics) => bus.ensureTopics(topics),
      publish: (records) => bus.publish(records),
      isHealthy: () => bus.isHealthy(),
      consumerLag: (group, topics) => bus.consumerLag(group, topics),
      close: () => bus.close(),
      subscribe: (options) =>
        bus.subscribe({
          ...options,
          handler: async (records) => {
            await options.handler(records);
            if (lostAcknowledgements-- > 0) throw new Error("offset commit lost");
          },
        }),
    };
    await startRunner(forgetful);
    const envelopes = Array.from({ length: 4 }, confirmed);
    await deliver(...envelopes);
    expect(lostAcknowledgements).toBeLessThan(0);
    expect(handled).toEqual(envelopes.map((envelope) => envelope.messageId));
    // The second delivery met only duplicates: it opened a transaction, and did no work in it.
    expect(RecordingUnitOfWork.opened.map((work) => work.handled.length)).toEqual([4, 0]);
  });
});

describe("ConsumerRunner", () => {
  beforeEach(() => startRunner());

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

  it("retries a record in place while the database is unreachable, dead-lettering nothing", async () => {
    let outage = 5; // more than maxAttempts: bounded retries would have parked it
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
    const [row] = await database.query<{ id: number }>("SELECT id FROM dead_letters");

    broken = false;
    const store = new DeadLetterStore(database, bus, GROUP);
    expect(await store.replay(row!.id, "test")).toEqual({ sourceTopic: Topics.orderConfirmed });
    await eventually(() => expect(handled).toEqual([envelope.messageId]));
    const [replayed] = await store.list({ limit: 1 });
    expect(replayed!.replayedAt).not.toBeNull();
  });

  it("parks the same source record only once, however often it is parked", async () => {
    const store = new DeadLetterStore(database, bus, GROUP);
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
