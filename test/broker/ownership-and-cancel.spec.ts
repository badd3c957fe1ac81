import { tokenFor } from "../support/auth";
import { eventually } from "../support/eventually";
import { http, orderOf } from "../support/http";
import { ledgerOf } from "../support/oms-databases";
import { expectMoneyRight } from "../support/settled";
import { databasesOf, startTestSystem, type TestSystem } from "../support/test-system";

/**
 * Orders belong to the customer who placed them (the token's subject): another customer finds
 * nothing there, an admin sees everyone's. The owner may cancel a pending order, and the saga
 * then gives the money back; an order that has ended cannot be cancelled.
 */
jest.setTimeout(60_000);

const NAME = "ownership";
const db = databasesOf(NAME);
let system: TestSystem;

const as = (customer: string, admin = false) => tokenFor(customer, admin);
const ALICE = "alice";
const BOB = "bob";

async function place(customer: string, options: { key?: string; price?: number } = {}) {
  const created = await http(system.baseUrl, "POST", "/orders", {
    json: orderOf("p1", 1, options.price ?? 250),
    token: await as(customer),
    headers: options.key ? { "idempotency-key": options.key } : {},
  });
  expect(created.status).toBe(201);
  return created.body.orderId as string;
}

const get = async (path: string, customer: string, admin = false) =>
  http(system.baseUrl, "GET", path, { token: await as(customer, admin) });

const cancel = async (orderId: string, customer: string, json?: object) =>
  http(system.baseUrl, "POST", `/orders/${orderId}/cancel`, {
    token: await as(customer),
    ...(json && { json }),
  });

async function listAll(customer: string, admin = false): Promise<Array<Record<string, unknown>>> {
  const rows: Array<Record<string, unknown>> = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: { rows: typeof rows; nextCursor: string | null } } =
      await http<{ rows: typeof rows; nextCursor: string | null }>(
        system.baseUrl,
        "GET",
        `/orders?pageSize=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { token: await as(customer, admin) },
      );
    expect(page.status).toBe(200);
    rows.push(...page.body.rows);
    cursor = page.body.nextCursor;
  } while (cursor);
  return rows;
}

const finalStatus = (orderId: string) =>
  eventually(async () => {
    const { body } = await get(`/orders/${orderId}`, ALICE);
    expect(["CONFIRMED", "CANCELLED"]).toContain(body.status);
    return body;
  });

describe("who sees which order", () => {
  let alices: string;
  let bobs: string;

  beforeAll(async () => {
    system = await startTestSystem(NAME, { fresh: true });
    alices = await place(ALICE);
    bobs = await place(BOB);
  });
  afterAll(() => system.stop());

  it("the owner reads their order, and it names them", async () => {
    const { status, body } = await get(`/orders/${alices}`, ALICE);
    expect(status).toBe(200);
    expect(body).toMatchObject({ orderId: alices, customerId: ALICE });
  });

  it.each(["", "/saga", "/payment"])(
    "another customer's order%s is a 404, exactly as an order that does not exist",
    async (suffix) => {
      await finalStatus(alices);
      const theirs = await get(`/orders/${alices}${suffix}`, BOB);
      const nobodys = await get(`/orders/00000000-0000-4000-8000-000000000000${suffix}`, BOB);
      expect(theirs.status).toBe(404);
      expect(nobodys.status).toBe(404);
      expect(theirs.body).toMatchObject({ status: 404, message: expect.any(String) });
      expect(Object.keys(theirs.body).sort()).toEqual(Object.keys(nobodys.body).sort());
      // The owner does see it: the 404 is about who asks, not about the order.
      expect((await get(`/orders/${alices}${suffix}`, ALICE)).status).toBe(200);
    },
  );

  it("a customer lists only their own orders; an admin lists everyone's", async () => {
    expect((await listAll(ALICE)).map((row) => row.orderId)).toEqual([alices]);
    expect((await listAll(BOB)).map((row) => row.orderId)).toEqual([bobs]);
    const everyone = await listAll("support", true);
    expect(everyone.map((row) => row.orderId).sort()).toEqual([alices, bobs].sort());
    expect(new Set(everyone.map((row) => row.customerId))).toEqual(new Set([ALICE, BOB]));
  });

  it("an admin reads any customer's order, saga and payment", async () => {
    for (const suffix of ["", "/saga", "/payment"])
      expect((await get(`/orders/${bobs}${suffix}`, "support", true)).status).toBe(200);
  });

  it("the same Idempotency-Key from two customers places two orders", async () => {
    const first = await place(ALICE, { key: "shared-key-1" });
    const second = await place(BOB, { key: "shared-key-1" });
    expect(second).not.toBe(first);
    // And each customer's retry still finds their own.
    expect(await place(BOB, { key: "shared-key-1" })).toBe(second);
  });

  it("another customer cannot cancel the order: a 404, and it is left as it was", async () => {
    const pending = await place(ALICE, { price: 10 });
    const refused = await cancel(pending, BOB);
    expect(refused.status).toBe(404);
    const order = await finalStatus(pending);
    expect(order.status).toBe("CONFIRMED");
  });
});

describe("the owner cancels", () => {
  beforeAll(async () => {
    // The provider takes 1.5 s to answer: time to cancel while the payment is being charged.
    system = await startTestSystem(NAME, {
      fresh: true,
      env: { PAYMENT_PROVIDER_LATENCY_MS: "1500" },
    });
  });
  afterAll(() => system.stop());

  it("a pending order: CANCELLED at once with the reason, and no money is kept", async () => {
    const orderId = await place(ALICE);
    const answer = await cancel(orderId, ALICE, { reason: "changed my mind" });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      orderId,
      status: "CANCELLED",
      cancellationReason: "cancelled by the customer: changed my mind",
    });
    const { body: order } = await get(`/orders/${orderId}`, ALICE);
    expect(order).toMatchObject({
      status: "CANCELLED",
      cancellationReason: "cancelled by the customer: changed my mind",
    });
    // The saga undoes the payment: the charge in flight is released or refunded.
    const saga = await eventually(async () => {
      const { body } = await get(`/orders/${orderId}/saga`, ALICE);
      expect(body.state).toBe("COMPENSATED");
      return body as { transitions: Array<{ to: string }> };
    }, 30_000);
    expect(saga.transitions.map((transition) => transition.to)).toContain("COMPENSATING");
    await expectMoneyRight(db, [orderId]);
    const payment = await eventually(async () => {
      const { body } = await get(`/orders/${orderId}/payment`, ALICE);
      expect(["CANCELLED", "REFUNDED"]).toContain(body.status);
      return body;
    }, 30_000);
    // The provider's own books: whatever it charged for the order, it gave back.
    const ledger = await ledgerOf(db, orderId);
    expect(ledger.filter((row) => row.outcome === "CHARGED" && !row.refunded)).toEqual([]);
    if (payment.status === "REFUNDED") expect(ledger.some((row) => row.refunded)).toBe(true);
  });

  it("a cancelled order cannot be cancelled again: a 409 in the error shape", async () => {
    const orderId = await place(ALICE);
    expect((await cancel(orderId, ALICE)).status).toBe(200);
    const again = await cancel(orderId, ALICE);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      status: 409,
      message: expect.stringContaining("CANCELLED"),
    });
  });

  it("a confirmed order cannot be cancelled: a 409, and it stays confirmed and charged", async () => {
    const orderId = await place(ALICE);
    expect((await finalStatus(orderId)).status).toBe("CONFIRMED");
    const refused = await cancel(orderId, ALICE, { reason: "too late" });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain("CONFIRMED");
    expect((await get(`/orders/${orderId}`, ALICE)).body.status).toBe("CONFIRMED");
    await expectMoneyRight(db, [orderId]);
  });

  it("a reason that is not a short string is a 400 naming the field", async () => {
    const orderId = await place(ALICE);
    const refused = await cancel(orderId, ALICE, { reason: "x".repeat(201) });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toHaveProperty("reason");
  });
});
