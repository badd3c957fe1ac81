import { randomUUID } from "node:crypto";
import { Topics } from "../../contracts";
import type { Caller } from "../../services/shared/runtime/caller";
import type { DeadLetterRow } from "../../services/shared/messaging/dead-letters";
import { eventually } from "../support/eventually";
import { busOf, query, startTestSystem, type TestSystem } from "../support/test-system";

/**
 * The operator's dead-letter actions, called as the gateway's admin routes call them (a caller in
 * the meta) and as the REPL does (no caller). What is checked is what an operator observes: the
 * rows the listing shows and the records that arrive on the bus.
 */
jest.setTimeout(30_000);

const NAME = "dladmin";
const ALICE: Caller = { customerId: "alice", admin: true };
const BOB: Caller = { customerId: "bob", admin: true };
const CUSTOMER: Caller = { customerId: "c-1", admin: false };

let system: TestSystem;
/** Every record on the saga's source topics that a replay sent (it carries dlt-replayed-from). */
let replays: Array<{ topic: string; from: number; value: Buffer }>;

beforeAll(async () => {
  system = await startTestSystem(NAME, { fresh: true, services: ["saga"] });
  replays = [];
  await busOf(system).subscribe({
    groupId: `test-replays-${randomUUID()}`,
    topics: [Topics.orderCreated, Topics.paymentFailed],
    handler: async (records) => {
      for (const record of records) {
        const from = record.headers["dlt-replayed-from"];
        if (from !== undefined)
          replays.push({ topic: record.topic, from: Number(from), value: record.value! });
      }
    },
  });
});
afterAll(() => system.stop());
beforeEach(async () => {
  await query(NAME, "saga", "TRUNCATE dead_letters");
  replays.length = 0;
});

const call = <T>(action: string, params: object, caller?: Caller) =>
  system.broker.call<T, object>(`saga.${action}`, params, caller && { meta: { caller } });

const list = (params: { topic?: string; state?: string; limit?: number } = {}) =>
  call<DeadLetterRow[]>("deadLetters", { limit: 100, ...params }, ALICE);

/** Publishes bytes the saga cannot parse; resolves with the dead letter it became. */
async function park(topic: string, value: Buffer | string): Promise<DeadLetterRow> {
  const bytes = Buffer.from(value);
  await busOf(system).publish([
    { topic, key: randomUUID(), value: bytes, headers: { "x-origin": "test" } },
  ]);
  return eventually(async () => {
    const rows = await list({ topic, state: "all" });
    const row = rows.find((candidate) => candidate.value === bytes.toString("utf8"));
    expect(row).toBeDefined();
    return row!;
  });
}

const ids = (rows: readonly DeadLetterRow[]) => rows.map((row) => row.id);

describe("listing dead letters", () => {
  it("filters by topic and state, newest first, and shows the record's and the error headers", async () => {
    const a = await park(Topics.orderCreated, "not json a");
    const b = await park(Topics.paymentFailed, "not json b");
    const c = await park(Topics.orderCreated, "not json c");

    expect(ids(await list())).toEqual([c.id, b.id, a.id]);
    expect(ids(await list({ topic: Topics.orderCreated }))).toEqual([c.id, a.id]);
    expect(ids(await list({ topic: Topics.paymentFailed }))).toEqual([b.id]);
    expect(ids(await list({ limit: 1 }))).toEqual([c.id]);

    expect(c).toMatchObject({
      consumerGroup: "saga-service",
      sourceTopic: Topics.orderCreated,
      errorCode: "MALFORMED_JSON",
      attempts: 1,
      value: "not json c",
      replayedAt: null,
      replayedBy: null,
      replayCount: 0,
      resolvedAt: null,
      resolvedBy: null,
      resolution: null,
    });
    expect(c.headers).toEqual({
      "x-origin": "test",
      "dlt-error-code": "MALFORMED_JSON",
      "dlt-error-message": c.errorMessage,
      "dlt-source-topic": Topics.orderCreated,
      "dlt-source-partition": String(c.sourcePartition),
      "dlt-source-offset": c.sourceOffset,
      "dlt-consumer-group": "saga-service",
      "dlt-attempts": "1",
      "dlt-failed-at": c.failedAt,
    });
    expect(new Date(c.failedAt).toISOString()).toBe(c.failedAt);

    await call("resolveDeadLetter", { id: a.id, note: "handled by hand" }, ALICE);
    expect(ids(await list({ topic: Topics.orderCreated }))).toEqual([c.id]);
    expect(ids(await list({ topic: Topics.orderCreated, state: "open" }))).toEqual([c.id]);
    const resolved = await list({ topic: Topics.orderCreated, state: "resolved" });
    expect(resolved).toEqual([
      expect.objectContaining({
        id: a.id,
        resolvedBy: "alice",
        resolution: "handled by hand",
        resolvedAt: expect.any(String),
      }),
    ]);
    expect(ids(await list({ state: "all" }))).toEqual([c.id, b.id, a.id]);
  });

  it("validates its parameters (a limit given as text is converted)", async () => {
    const a = await park(Topics.orderCreated, "not json");
    expect(ids(await list({ limit: "1" as unknown as number }))).toEqual([a.id]);
    for (const params of [{ limit: 0 }, { limit: 501 }, { state: "closed" }, { topic: "" }])
      await expect(list(params)).rejects.toMatchObject({ type: "VALIDATION_ERROR" });
  });
});

describe("replaying one dead letter", () => {
  it("sends the original bytes back to the source topic and records who did it", async () => {
    // Not UTF-8 at all: the listing shows text, the replay must send the bytes as they arrived.
    const bytes = Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x41]);
    const letter = await park(Topics.orderCreated, bytes);

    await expect(call("replayDeadLetter", { id: letter.id }, BOB)).resolves.toEqual({
      replayed: letter.id,
      topic: Topics.orderCreated,
    });
    await eventually(() =>
      expect(replays).toEqual([{ topic: Topics.orderCreated, from: letter.id, value: bytes }]),
    );
    const [replayed] = (await list({ state: "all" })).filter((row) => row.id === letter.id);
    expect(replayed).toMatchObject({ replayedBy: "bob", replayCount: 1 });
    expect(replayed!.replayedAt).not.toBeNull();

    // From the REPL (no caller): the operator. Replayed twice now.
    await call("replayDeadLetter", { id: String(letter.id) });
    await eventually(() => expect(replays).toHaveLength(2));
    const [again] = (await list({ state: "all" })).filter((row) => row.id === letter.id);
    expect(again).toMatchObject({ replayedBy: "operator", replayCount: 2 });
  });

  it("parks a replay that fails again as a new dead letter (a new offset), leaving the first", async () => {
    const letter = await park(Topics.orderCreated, "still not json");
    await call("replayDeadLetter", { id: letter.id }, BOB);
    const rows = await eventually(async () => {
      const found = await list({ topic: Topics.orderCreated });
      expect(found).toHaveLength(2);
      return found;
    });
    expect(rows[1]).toMatchObject({ id: letter.id, replayCount: 1 });
    expect(rows[0]).toMatchObject({ value: "still not json", replayCount: 0 });
    expect(rows[0]!.sourceOffset).not.toBe(letter.sourceOffset);
  });

  it("refuses a resolved dead letter: nothing is sent", async () => {
    const letter = await park(Topics.orderCreated, "not json");
    await call("resolveDeadLetter", { id: letter.id }, ALICE);

    await expect(call("replayDeadLetter", { id: letter.id }, BOB)).rejects.toMatchObject({
      type: "DEAD_LETTER_RESOLVED",
    });
    const [row] = await list({ state: "resolved" });
    expect(row).toMatchObject({ id: letter.id, replayCount: 0, replayedAt: null });
    // Another replay that is sent arrives; the refused one never did.
    const other = await park(Topics.orderCreated, "not json either");
    await call("replayDeadLetter", { id: other.id }, BOB);
    await eventually(() => expect(replays.map((record) => record.from)).toEqual([other.id]));
  });

  it("answers DEAD_LETTER_NOT_FOUND for an id it does not have", async () => {
    await expect(call("replayDeadLetter", { id: 999_999 }, BOB)).rejects.toMatchObject({
      type: "DEAD_LETTER_NOT_FOUND",
    });
  });
});

describe("replaying a topic", () => {
  it("sends exactly its open, not yet replayed dead letters, oldest first", async () => {
    const first = await park(Topics.orderCreated, "created 1");
    const resolved = await park(Topics.orderCreated, "created 2");
    const replayedBefore = await park(Topics.orderCreated, "created 3");
    const other = await park(Topics.paymentFailed, "failed 1");
    const last = await park(Topics.orderCreated, "created 4");
    await call("resolveDeadLetter", { id: resolved.id }, ALICE);
    await call("replayDeadLetter", { id: replayedBefore.id }, ALICE);
    // Its replay failed again: a new open dead letter of the topic, not replayed yet.
    const parkedAgain = await eventually(async () => {
      const [newest] = await list({ topic: Topics.orderCreated });
      expect(newest).toMatchObject({ value: "created 3", replayCount: 0 });
      return newest!;
    });
    await eventually(() => expect(replays).toHaveLength(1));

    await expect(call("replayDeadLetters", { topic: Topics.orderCreated }, BOB)).resolves.toEqual({
      topic: Topics.orderCreated,
      replayed: 3,
    });

    await eventually(() => expect(replays).toHaveLength(4));
    expect(replays.slice(1)).toEqual(
      [first, last, parkedAgain].map((letter) => ({
        topic: Topics.orderCreated,
        from: letter.id,
        value: Buffer.from(letter.value!),
      })),
    );
    const rows = await list({ state: "all" });
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const letter of [first, last, parkedAgain])
      expect(byId.get(letter.id)).toMatchObject({ replayedBy: "bob", replayCount: 1 });
    expect(byId.get(replayedBefore.id)).toMatchObject({ replayedBy: "alice", replayCount: 1 });
    expect(byId.get(resolved.id)).toMatchObject({ replayCount: 0, replayedAt: null });
    expect(byId.get(other.id)).toMatchObject({ replayCount: 0, replayedAt: null });
  });

  it("replays nothing on a topic without open dead letters", async () => {
    await park(Topics.paymentFailed, "not json");
    await expect(call("replayDeadLetters", { topic: Topics.orderCreated })).resolves.toEqual({
      topic: Topics.orderCreated,
      replayed: 0,
    });
    expect(replays).toEqual([]);
  });
});

describe("resolving a dead letter", () => {
  it("closes it once: a second resolve keeps the first resolver and note", async () => {
    const letter = await park(Topics.orderCreated, "not json");
    const first = await call<DeadLetterRow>(
      "resolveDeadLetter",
      { id: letter.id, note: "refunded by hand" },
      ALICE,
    );
    expect(first).toMatchObject({
      id: letter.id,
      resolvedBy: "alice",
      resolution: "refunded by hand",
      resolvedAt: expect.any(String),
    });
    await expect(
      call("resolveDeadLetter", { id: letter.id, note: "another note" }, BOB),
    ).resolves.toEqual(first);
    expect(await list()).toEqual([]);
  });

  it("answers DEAD_LETTER_NOT_FOUND for an id it does not have, and bounds the note", async () => {
    await expect(call("resolveDeadLetter", { id: 999_999 }, ALICE)).rejects.toMatchObject({
      type: "DEAD_LETTER_NOT_FOUND",
    });
    const letter = await park(Topics.orderCreated, "not json");
    await expect(
      call("resolveDeadLetter", { id: letter.id, note: "x".repeat(501) }, ALICE),
    ).rejects.toMatchObject({ type: "VALIDATION_ERROR" });
    expect(ids(await list())).toEqual([letter.id]);
  });
});

describe("a caller who is not an admin", () => {
  it("can neither list, replay nor resolve dead letters", async () => {
    const letter = await park(Topics.orderCreated, "not json");
    for (const [action, params] of [
      ["deadLetters", {}],
      ["replayDeadLetter", { id: letter.id }],
      ["replayDeadLetters", { topic: Topics.orderCreated }],
      ["resolveDeadLetter", { id: letter.id }],
    ] as const)
      await expect(call(action, params, CUSTOMER)).rejects.toMatchObject({
        type: "ADMIN_REQUIRED",
      });
    expect(await list()).toEqual([expect.objectContaining({ id: letter.id, replayCount: 0 })]);
    expect(replays).toEqual([]);
  });
});
