import { randomUUID } from "node:crypto";
import type { SqlDatabase } from "../../services/shared/db/sql-database";
import { DeadLetterStore } from "../../services/shared/messaging/dead-letters";
import type { MessageBus } from "../../services/shared/messaging/message-bus.port";
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
    expect((await store.list(1))[0]).toMatchObject({ errorCode: "SCHEMA_VIOLATION" });
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
});
