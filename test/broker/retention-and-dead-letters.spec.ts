import { randomUUID } from "node:crypto";
import type { SqlDatabase } from "../../services/shared/db/sql-database";
import { DeadLetterStore } from "../../services/shared/messaging/dead-letters";
import type { MessageBus, OutgoingRecord } from "../../services/shared/messaging/message-bus.port";
import { MessagingRetention } from "../../services/shared/messaging/retention";
import { messagingDatabase } from "../support/messaging-db";
import { quietLogger } from "../support/quiet-logger";

let database: SqlDatabase;
beforeAll(async () => {
  database = await messagingDatabase("retention");
});
afterAll(() => database.close());
beforeEach(() => database.query("TRUNCATE inbox, dead_letters"));

const record = (offset: string) => ({
  topic: "order.confirmed",
  partition: 0,
  offset,
  key: "k",
  value: Buffer.from("x".repeat(10)),
  headers: {},
});

describe("dead letters when the DLT record cannot be published", () => {
  it("keep the row with why, and let the consumer move on (no exception, no redelivery)", async () => {
    const refusing = {
      publish: async () => {
        throw new Error("MESSAGE_TOO_LARGE");
      },
    } as unknown as MessageBus;
    const store = new DeadLetterStore(database, refusing, "g", quietLogger);
    await expect(
      store.park(record("7"), { code: "SCHEMA_VIOLATION", message: "bad", attempts: 1 }),
    ).resolves.toBeUndefined();
    const rows = await database.query(
      "SELECT source_offset, error_code, dlt_error, value FROM dead_letters",
    );
    expect(rows).toEqual([
      {
        source_offset: "7",
        error_code: "SCHEMA_VIOLATION",
        dlt_error: "MESSAGE_TOO_LARGE",
        value: Buffer.from("x".repeat(10)),
      },
    ]);
    expect((await store.list({ limit: 1 }))[0]).toMatchObject({ errorCode: "SCHEMA_VIOLATION" });
  });
});

describe("retention", () => {
  const retention = () =>
    new MessagingRetention({
      database,
      inboxDays: 8,
      deadLetterDays: 30,
      intervalMs: 60_000,
      logger: quietLogger,
    });

  async function inboxAged(days: number, count: number): Promise<void> {
    await database.query(
      `INSERT INTO inbox (message_id, topic, message_type, processed_at)
       SELECT gen_random_uuid(), 't', 'T', now() - make_interval(days => $1)
       FROM generate_series(1, $2)`,
      [days, count],
    );
  }

  async function deadLetter(replayedDaysAgo: number | null, failedDaysAgo = 40): Promise<void> {
    await database.query(
      `INSERT INTO dead_letters (consumer_group, source_topic, source_partition, source_offset,
         error_code, error_message, attempts, failed_at, replayed_at)
       VALUES ('g', 't', 0, $1, 'X', 'x', 1, now() - make_interval(days => $2),
         now() - make_interval(days => $3))`,
      [randomUUID(), failedDaysAgo, replayedDaysAgo],
    );
  }

  it("forgets inbox ids past their retention, in batches, and keeps the recent ones", async () => {
    await inboxAged(9, 2_500);
    await inboxAged(1, 10);
    expect(await retention().runOnce()).toEqual({ inbox: 2_500, deadLetters: 0 });
    const [left] = await database.query<{ n: number }>("SELECT count(*)::int AS n FROM inbox");
    expect(left!.n).toBe(10);
  });

  it("deletes dead letters replayed long ago; unresolved ones stay however old", async () => {
    await deadLetter(31);
    await deadLetter(1);
    await deadLetter(null, 400);
    expect(await retention().runOnce()).toEqual({ inbox: 0, deadLetters: 1 });
    const rows = await database.query<{ replayed: boolean }>(
      "SELECT replayed_at IS NOT NULL AS replayed FROM dead_letters ORDER BY id",
    );
    expect(rows).toEqual([{ replayed: true }, { replayed: false }]);
  });

  it("deletes dead letters resolved long ago, replayed or not; recently resolved ones stay", async () => {
    const resolved = (days: number) =>
      database.query(
        `INSERT INTO dead_letters (consumer_group, source_topic, source_partition, source_offset,
           error_code, error_message, attempts, failed_at, resolved_at, resolved_by)
         VALUES ('g', 't', 0, $1, 'X', 'x', 1, now() - make_interval(days => 400),
           now() - make_interval(days => $2), 'ops')`,
        [randomUUID(), days],
      );
    await resolved(31);
    await resolved(2);
    expect(await retention().runOnce()).toEqual({ inbox: 0, deadLetters: 1 });
    const [left] = await database.query<{ days: number }>(
      "SELECT extract(day FROM now() - resolved_at)::int AS days FROM dead_letters",
    );
    expect(left!.days).toBe(2);
  });
});

describe("an operator's actions on dead letters", () => {
  /** A bus that keeps what it is asked to publish; `onPublish` plays a consumer's reaction. */
  function recordingBus(onPublish: (records: readonly OutgoingRecord[]) => Promise<void>) {
    const calls: OutgoingRecord[][] = [];
    const bus = {
      publish: async (records: readonly OutgoingRecord[]) => {
        calls.push([...records]);
        await onPublish(records);
      },
    } as unknown as MessageBus;
    return { bus, calls };
  }

  async function parked(topic: string, count: number): Promise<void> {
    await database.query(
      `INSERT INTO dead_letters (consumer_group, source_topic, source_partition, source_offset,
         value, error_code, error_message, attempts)
       SELECT 'g', $1, 0, gen_random_uuid()::text, convert_to('v' || n, 'UTF8'), 'X', 'x', 1
       FROM generate_series(1, $2) AS n`,
      [topic, count],
    );
  }

  it("replays a topic in batches of at most 500, and not what its own replays park again", async () => {
    await parked("t", 501);
    await parked("other", 1);
    // Every replayed record fails again at once and is parked as a new row of the topic.
    const { bus, calls } = recordingBus((records) => parked("t", records.length));
    const store = new DeadLetterStore(database, bus, "g", quietLogger);

    expect(await store.replayTopic("t", "alice")).toEqual({ replayed: 501 });
    expect(calls.map((records) => records.length)).toEqual([500, 1]);
    expect(new Set(calls.flat().map((record) => record.topic))).toEqual(new Set(["t"]));
    expect(calls.flat().map((record) => record.value.toString())).toEqual(
      Array.from({ length: 501 }, (_, index) => `v${index + 1}`),
    );
    const counts = await database.query<{ replayed: number; open: number }>(
      `SELECT count(*) FILTER (WHERE replayed_by = 'alice')::int AS replayed,
         count(*) FILTER (WHERE replayed_at IS NULL)::int AS open
       FROM dead_letters WHERE source_topic = 't'`,
    );
    expect(counts).toEqual([{ replayed: 501, open: 501 }]);
  });

  it("writes one audit line per action, naming who acted", async () => {
    const lines: string[] = [];
    const logger = { ...quietLogger, info: (line: unknown) => lines.push(String(line)) };
    const { bus } = recordingBus(async () => undefined);
    const store = new DeadLetterStore(database, bus, "g", logger);
    await parked("t", 2);
    const [second, first] = await store.list({ limit: 2 });

    await store.replay(first!.id, "alice");
    await store.resolve(first!.id, "bob", "done");
    await store.resolve(first!.id, "carol");
    await store.replay(first!.id, "dave");
    await store.replayTopic("t", "erin");
    expect(lines).toEqual([
      `dead letter ${first!.id} (t) replayed by alice`,
      `dead letter ${first!.id} (t) resolved by bob`,
      `dead letter ${first!.id} (t) was already resolved by bob: carol's resolve changed nothing`,
      `dead letter ${first!.id} (t) is resolved: replay by dave refused`,
      `dead letters ${second!.id} (t) replayed by erin`,
    ]);
  });
});
