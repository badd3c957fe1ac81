import { randomUUID } from "node:crypto";
import { OrderConfirmedContract, RejectOrderContract } from "../../contracts";
import {
  SqlDatabase,
  type SqlExecutor,
  type Statement,
} from "../../services/shared/db/sql-database";
import {
  PublishRejectedError,
  type MessageBus,
  type OutgoingRecord,
} from "../../services/shared/messaging/message-bus.port";
import {
  insertOutboxRows,
  outboxRows,
  outgoingMessage,
  type OutboxMessage,
} from "../../services/shared/messaging/outbox";
import { OutboxRelay } from "../../services/shared/messaging/outbox-relay";
import { deferred } from "../unit/support/async";
import { eventually } from "../support/eventually";
import { messagingDatabase } from "../support/messaging-db";
import { quietLogger } from "../support/quiet-logger";
import { TcpProxy } from "../support/tcp-proxy";
import { databaseUrls } from "../support/test-system";
import type { Logger } from "../../services/shared/logger";

let database: SqlDatabase;
const relayDatabaseUrl = databaseUrls("relay").order;
beforeAll(async () => {
  database = await messagingDatabase("relay");
});
afterAll(() => database.close());
beforeEach(() => database.query("TRUNCATE outbox"));

/** A bus that records what it was asked to publish, slowly, and can be told to fail or to hang. */
class RecordingBus implements Pick<MessageBus, "publish"> {
  published: OutgoingRecord[] = [];
  failing = false;
  inFlight = 0;
  maxInFlight = 0;
  gate: Promise<void> = Promise.resolve();
  /** Records the broker refuses for good: a batch holding one is refused whole, as Kafka does. */
  refuses: (record: OutgoingRecord) => boolean = () => false;
  /** Topics that cannot take records for now (the in-process bus, a group with no member). */
  unavailable = new Set<string>();

  async publish(records: readonly OutgoingRecord[]): Promise<void> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (records.some((record) => this.unavailable.has(record.topic)))
        throw new Error("consumer group is not running");
      await this.gate;
      if (this.failing) throw new Error("broker unavailable");
      if (records.some(this.refuses)) throw new PublishRejectedError("MESSAGE_TOO_LARGE");
      this.published.push(...records);
    } finally {
      this.inFlight -= 1;
    }
  }

  get ids(): string[] {
    return this.published.map((record) => record.headers!["message-id"]!);
  }
}

/** Commits `count` messages; returns their message ids and their outbox row ids. */
async function commit(
  count: number,
  keyOf: (index: number) => string = () => randomUUID(),
  messageOf: (orderId: string) => OutboxMessage = orderConfirmed,
): Promise<{ messageIds: string[]; rowIds: number[] }> {
  const messages = Array.from({ length: count }, (_, index) => messageOf(keyOf(index)));
  const rows = await database.query<{ id: number }>(`${insertOutboxRows("$1")} RETURNING id`, [
    JSON.stringify(outboxRows(messages)),
  ]);
  return {
    messageIds: messages.map((message) => message.envelope.messageId),
    rowIds: rows.map((row) => row.id),
  };
}
const commitMessages = async (count: number) => (await commit(count)).messageIds;

function orderConfirmed(orderId: string): OutboxMessage {
  return outgoingMessage(
    OrderConfirmedContract,
    { orderId, confirmedAt: new Date().toISOString() },
    { correlationId: orderId, causationId: "test" },
  );
}

function rejectOrder(orderId: string): OutboxMessage {
  return outgoingMessage(
    RejectOrderContract,
    { orderId, reason: "payment timed out" },
    { correlationId: orderId, causationId: "test" },
  );
}

const relays: OutboxRelay[] = [];
afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.stop()));
});

const relayOn = (
  bus: RecordingBus,
  options: {
    batchSize?: number;
    maxInFlight?: number;
    owner?: string;
    pollIntervalMs?: number;
    stopGraceMs?: number;
    stuckAfterMs?: number;
    logger?: Logger;
    database?: SqlExecutor;
  } = {},
) => {
  const relay = new OutboxRelay({
    database: options.database ?? database,
    bus: bus as unknown as MessageBus,
    batchSize: options.batchSize ?? 10,
    maxInFlight: options.maxInFlight ?? 2,
    pollIntervalMs: options.pollIntervalMs ?? 50,
    owner: options.owner ?? "node-1",
    logger: options.logger ?? quietLogger,
    stopGraceMs: options.stopGraceMs ?? 5_000,
    stuckAfterMs: options.stuckAfterMs,
  });
  relays.push(relay);
  return relay;
};
const pending = async () =>
  (await database.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox"))[0]!.n;

describe("OutboxRelay when a publish never settles", () => {
  it("gives up the stuck drain after stuckAfterMs, says so, and publishes what is committed next", async () => {
    const bus = new RecordingBus();
    // The first publish waits on a gate that never opens (a broker call that never answers).
    bus.gate = new Promise<void>(() => undefined);
    const errors: string[] = [];
    const relay = relayOn(bus, {
      maxInFlight: 1,
      // Long enough for any claim on a busy test machine (4 jest workers on 2 cores), so the
      // one stall given up is the publish that never settles.
      stuckAfterMs: 1_000,
      logger: { ...quietLogger, error: (message: string) => errors.push(message) },
    });
    await relay.start();
    const stuck = await commit(1);
    relay.kick(stuck.rowIds);
    await eventually(() => expect(bus.inFlight).toBe(1));

    bus.gate = Promise.resolve();
    const next = await commit(3);
    relay.kick(next.rowIds);
    await eventually(() => expect(bus.ids.sort()).toEqual([...next.messageIds].sort()), 5_000);
    expect(errors).toEqual([
      expect.stringMatching(/no progress for \d+ s waiting for a publish to settle/),
    ]);
    // The stuck publish's row stays claimed until its lease ends; then any relay takes it.
    expect(await pending()).toBe(1);
  });
});

/** The test database, unreachable for the first `count` releases of failed publishes. */
function refusingReleases(count: number): SqlExecutor & { refused: number } {
  const executor = {
    refused: 0,
    query: async (sql: Statement | string, values?: readonly unknown[]) => {
      if (typeof sql !== "string" && sql.name === "outbox.release" && executor.refused < count) {
        executor.refused += 1;
        throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
      }
      return database.query(sql, values) as never;
    },
  };
  return executor;
}

describe("OutboxRelay when the database fails it between a claim and its end", () => {
  it("a claim that committed while its answer was lost: its rows are published at once, not when the lease ends", async () => {
    // The relay's own connections go through a proxy that loses the answer to its first search.
    const proxy = new TcpProxy(Number(new URL(relayDatabaseUrl).port));
    await proxy.start();
    const throughProxy = new SqlDatabase(proxy.in(relayDatabaseUrl), {
      poolMax: 2,
      logger: quietLogger,
    });
    const bus = new RecordingBus();
    const infos: string[] = [];
    const relay = relayOn(bus, {
      database: throughProxy,
      logger: { ...quietLogger, info: (message: string) => infos.push(message) },
    });
    try {
      const { messageIds } = await commit(3);
      proxy.loseAnswerTo("outbox.claim-pending");
      await relay.start();

      await eventually(() => expect(bus.ids.sort()).toEqual([...messageIds].sort()), 5_000);
      await eventually(async () => expect(await pending()).toBe(0));
      // The claim did commit: the relay found its 3 rows claimed by itself and released them.
      expect(infos).toContainEqual(expect.stringMatching(/released 3 rows it held/));
    } finally {
      await relay.stop();
      await throughProxy.close();
      await proxy.stop();
    }
  });

  it("a publish failed and the database was gone when it released the rows: they go again once it is back", async () => {
    const releasesRefused = refusingReleases(1);
    const bus = new RecordingBus();
    bus.failing = true;
    const relay = relayOn(bus, {
      database: releasesRefused,
    });
    await relay.start();
    const { messageIds, rowIds } = await commit(2);
    relay.kick(rowIds);
    await eventually(() => expect(releasesRefused.refused).toBe(1));

    bus.failing = false;
    await eventually(() => expect(bus.ids.sort()).toEqual([...messageIds].sort()), 5_000);
    await eventually(async () => expect(await pending()).toBe(0));
  });

  it("settles only once its publishes in flight have: none goes out twice, and what they sent is deleted", async () => {
    const releasesRefused = refusingReleases(1);
    const bus = new RecordingBus();
    let open!: () => void;
    bus.gate = new Promise<void>((resolve) => (open = resolve)); // batch A waits for the broker
    const relay = relayOn(bus, {
      maxInFlight: 2,
      database: releasesRefused,
    });
    await relay.start();
    const a = await commit(2);
    relay.kick(a.rowIds);
    await eventually(() => expect(bus.inFlight).toBe(1));
    // Batch B's topic takes nothing, and releasing B fails: the relay's claims are in doubt
    // while A is still being published.
    bus.unavailable.add(RejectOrderContract.topic);
    const b = await commit(2, undefined, rejectOrder);
    relay.kick(b.rowIds);
    await eventually(() => expect(releasesRefused.refused).toBe(1));

    await new Promise((resolve) => setTimeout(resolve, 300)); // polls come and go meanwhile
    open();
    await eventually(() => expect(bus.ids.sort()).toEqual([...a.messageIds].sort()), 5_000);
    bus.unavailable.clear();
    await eventually(() => expect(bus.ids).toHaveLength(4), 5_000);
    expect(bus.ids.sort()).toEqual([...a.messageIds, ...b.messageIds].sort());
    await eventually(async () => expect(await pending()).toBe(0));
  });
});

describe("OutboxRelay and a record the broker refuses for good", () => {
  it("parks that row with its error; every other row is published, and its key's later rows wait", async () => {
    const poisonKey = randomUUID();
    const first = await commit(10, (index) => (index === 3 ? poisonKey : randomUUID()));
    const poisonId = first.messageIds[3]!;
    const follower = await commit(1, () => poisonKey); // the same order's next message
    const after = await commit(10);
    const bus = new RecordingBus();
    bus.refuses = (record) => record.headers!["message-id"] === poisonId;
    const relay = relayOn(bus, { batchSize: 25 });
    await relay.start();

    const others = [...first.messageIds.filter((id) => id !== poisonId), ...after.messageIds];
    await eventually(() => expect(bus.ids.sort()).toEqual([...others].sort()));
    const left = await database.query<{ message_id: string; parked: boolean; last_error: string }>(
      "SELECT message_id, parked_at IS NOT NULL AS parked, last_error FROM outbox ORDER BY id",
    );
    expect(left).toEqual([
      { message_id: poisonId, parked: true, last_error: "MESSAGE_TOO_LARGE" },
      {
        message_id: follower.messageIds[0],
        parked: false,
        last_error: "waits behind a parked row",
      },
    ]);
    expect(await relay.countParked()).toBe(1);

    // New rows keep flowing past it.
    const later = await commit(3);
    relay.kick(later.rowIds);
    await eventually(() => expect(bus.ids).toEqual(expect.arrayContaining(later.messageIds)));
    expect(bus.ids).not.toContain(follower.messageIds[0]);
  });
});

describe("OutboxRelay", () => {
  it("publishes committed rows once and marks them sent, in commit order", async () => {
    const ids = await commitMessages(25);
    const bus = new RecordingBus();
    await relayOn(bus, { maxInFlight: 1 }).start();
    await eventually(async () => expect(await pending()).toBe(0));
    expect(bus.ids).toEqual(ids);
  });

  it("keeps several batches in flight, and holds no transaction or row lock while the bus publishes", async () => {
    await commitMessages(40);
    const bus = new RecordingBus();
    const gate = deferred();
    bus.gate = gate.promise;
    await relayOn(bus, { batchSize: 5, maxInFlight: 3 }).start();
    await eventually(() => expect(bus.inFlight).toBe(3));

    const idleInTransaction = await database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
    );
    expect(idleInTransaction[0]!.n).toBe(0);
    // Every claimed row can be locked by someone else right now: the relay holds no lock on it.
    const claimed = await database.transaction((sql) =>
      sql.query("SELECT id FROM outbox WHERE claimed_by IS NOT NULL FOR UPDATE NOWAIT"),
    );
    expect(claimed).toHaveLength(15);

    gate.resolve();
    await eventually(async () => expect(await pending()).toBe(0));
    expect(bus.maxInFlight).toBe(3);
    expect(new Set(bus.ids).size).toBe(40);
  });

  it("shares the rows between two relays on one database without publishing any twice", async () => {
    const ids = await commitMessages(200);
    const buses = [new RecordingBus(), new RecordingBus()];
    for (const [index, bus] of buses.entries())
      await relayOn(bus, { batchSize: 5, owner: `node-${index}` }).start();
    await eventually(async () => expect(await pending()).toBe(0));

    const published = buses.flatMap((bus) => bus.ids);
    expect(published).toHaveLength(ids.length);
    expect(new Set(published)).toEqual(new Set(ids));
    expect(buses.every((bus) => bus.published.length > 0)).toBe(true);
  });

  it("keeps rows pending while publishing fails, counts the failures, and sends them once it works", async () => {
    await commitMessages(3);
    const bus = new RecordingBus();
    bus.failing = true;
    await relayOn(bus).start();
    await eventually(async () => {
      const [row] = await database.query<{ failed_attempts: number; last_error: string }>(
        "SELECT failed_attempts, last_error FROM outbox ORDER BY id LIMIT 1",
      );
      expect(row!.failed_attempts).toBeGreaterThanOrEqual(2);
      expect(row!.last_error).toBe("broker unavailable");
    });
    expect(await pending()).toBe(3);

    bus.failing = false;
    await eventually(async () => expect(await pending()).toBe(0));
    expect(bus.published).toHaveLength(3);
  });

  it("a topic that cannot take records for now holds back only its own rows, not other topics' in the same batch", async () => {
    const stuck = await commit(2, () => randomUUID(), orderConfirmed);
    const rejection = await commit(1, () => randomUUID(), rejectOrder);
    const bus = new RecordingBus();
    bus.unavailable.add(OrderConfirmedContract.topic);
    // Unannounced: the poll's search claims all three in one batch.
    await relayOn(bus, { batchSize: 10 }).start();
    await eventually(() => expect(bus.ids).toEqual(rejection.messageIds));
    // A sent row is deleted with the relay's next claim.
    await eventually(async () => expect(await pending()).toBe(2));

    bus.unavailable.clear();
    await eventually(async () => expect(await pending()).toBe(0));
    expect(bus.ids.slice(1)).toEqual(stuck.messageIds);
  });

  it("another node leaves rows under a live lease alone; the restarted owner takes them back at once", async () => {
    const ids = await commitMessages(4);
    // node-1's previous run claimed the rows and died before deleting them.
    await database.query(
      "UPDATE outbox SET claimed_by = 'node-1', claimed_until = now() + interval '1 minute'",
    );

    const other = new RecordingBus();
    const otherRelay = relayOn(other, { owner: "node-2" });
    await otherRelay.start();
    // An absence cannot be awaited: give node-2 a few polls (50 ms each) to take what it may.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(other.published).toEqual([]);
    expect(await pending()).toBe(4);
    await otherRelay.stop();

    const restarted = new RecordingBus();
    await relayOn(restarted, { owner: "node-1" }).start();
    await eventually(async () => expect(await pending()).toBe(0));
    expect(restarted.ids).toEqual(ids);
  });

  it("stops within its grace period when a publish never settles, leaving the rows claimed", async () => {
    await commitMessages(3);
    const bus = new RecordingBus();
    bus.gate = new Promise(() => undefined); // a consumer that never finishes
    const relay = relayOn(bus, { batchSize: 1, maxInFlight: 1, stopGraceMs: 100 });
    await relay.start();
    await eventually(() => expect(bus.inFlight).toBe(1));

    await relay.stop(); // would hang on the full window without the grace period
    relays.splice(relays.indexOf(relay), 1);
    expect(await pending()).toBe(3);
    const [claimed] = await database.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM outbox WHERE claimed_by IS NOT NULL",
    );
    expect(claimed!.n).toBe(1);
  });

  it("publishes announced rows right away, by id; rows nobody announced wait for a search", async () => {
    const bus = new RecordingBus();
    const relay = relayOn(bus, { pollIntervalMs: 60_000 });
    await relay.start();
    const announced = await commit(2);
    const unannounced = await commit(1);
    relay.kick(announced.rowIds);
    await eventually(() => expect(bus.ids).toEqual(announced.messageIds), 2_000);
    await eventually(async () => expect(await pending()).toBe(1));

    relay.kick(); // no ids: search the outbox, as the poll does
    await eventually(() =>
      expect(bus.ids).toEqual([...announced.messageIds, ...unannounced.messageIds]),
    );
    await eventually(async () => expect(await pending()).toBe(0));
  });
});
