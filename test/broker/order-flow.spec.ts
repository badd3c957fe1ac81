import { eventually } from "../support/eventually";
import { http, orderOf, type HttpResult } from "../support/http";
import { chargesFor, OWNERS, unsentOutbox } from "../support/oms-databases";
import { databasesOf, startTestSystem, type TestSystem } from "../support/test-system";

const NAME = "flow";
const db = databasesOf(NAME);
let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem(NAME, { fresh: true });
});
afterAll(() => system.stop());

async function finalOrder(orderId: string) {
  return eventually(async () => {
    const { status, body } = await http(system.baseUrl, "GET", `/orders/${orderId}`);
    expect(status).toBe(200);
    expect(["CONFIRMED", "CANCELLED"]).toContain(body.status);
    return body;
  });
}

interface SagaBody {
  state: string;
  finished: boolean;
  failureReason: string | null;
  transitions: Array<Record<string, unknown> & { to: string }>;
}

/** The saga ends one message after the order (docs/adr/0004): wait for it, do not race it. */
async function finishedSaga(orderId: string): Promise<SagaBody> {
  return eventually(async () => {
    const { status, body } = await http<SagaBody>(system.baseUrl, "GET", `/orders/${orderId}/saga`);
    expect(status).toBe(200);
    expect(body.finished).toBe(true);
    return body;
  });
}

describe("an order within the limit", () => {
  let orderId: string;

  beforeAll(async () => {
    const created = await http(system.baseUrl, "POST", "/orders", {
      json: orderOf("p1", 2, 499.5),
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ orderId: expect.any(String), status: "PENDING" });
    expect(created.headers.get("location")).toBe(`/orders/${created.body.orderId}`);
    orderId = created.body.orderId as string;
  });

  it("ends CONFIRMED with the total the domain computed", async () => {
    const order = await finalOrder(orderId);
    expect(order).toMatchObject({
      orderId,
      status: "CONFIRMED",
      total: "999.00",
      currency: "INR",
      cancellationReason: null,
      items: [{ productId: "p1", quantity: 2, unitPrice: "499.50", lineTotal: "999.00" }],
    });
  });

  it("has a saga that went through every state, each transition timed and caused by a message", async () => {
    const body = await finishedSaga(orderId);
    expect(body.state).toBe("ORDER_CONFIRMED");
    expect(body.transitions.map((transition) => [transition.from, transition.to])).toEqual([
      [null, "STARTED"],
      ["STARTED", "PAYMENT_INITIATED"],
      ["PAYMENT_INITIATED", "PAYMENT_COMPLETED"],
      ["PAYMENT_COMPLETED", "ORDER_CONFIRMED"],
    ]);
    for (const transition of body.transitions) {
      expect(Number.isNaN(Date.parse(transition.at as string))).toBe(false);
      expect(transition.causationId).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
    }
  });

  it("has one COMPLETED payment in INR for 999.00, charged once at the provider", async () => {
    await finalOrder(orderId);
    const { status, body } = await http(system.baseUrl, "GET", `/orders/${orderId}/payment`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      orderId,
      status: "COMPLETED",
      amount: "999.00",
      currency: "INR",
      failureReason: null,
    });
    expect(await chargesFor(db, orderId)).toBe(1);
  });

  it("leaves no outbox row unsent in any service", async () => {
    await finalOrder(orderId);
    for (const owner of OWNERS) {
      await eventually(async () => expect(await unsentOutbox(db, owner)).toBe(0));
    }
  });
});

describe("an order above the decline limit", () => {
  it("ends CANCELLED, its saga compensated, with the provider's reason everywhere", async () => {
    const created = await http(system.baseUrl, "POST", "/orders", {
      json: orderOf("big-tv", 3, 50_000),
    });
    expect(created.status).toBe(201);
    const orderId = created.body.orderId as string;

    const order = await finalOrder(orderId);
    expect(order).toMatchObject({ status: "CANCELLED", total: "150000.00" });
    expect(order.cancellationReason).toMatch(
      /payment failed: amount 150000\.00 INR exceeds the limit of 100000\.00 INR/,
    );

    const saga = await finishedSaga(orderId);
    expect(saga.state).toBe("ORDER_CANCELLED");
    expect(saga.transitions.map((transition) => transition.to)).toEqual([
      "STARTED",
      "PAYMENT_INITIATED",
      "PAYMENT_FAILED",
      "ORDER_CANCELLED",
    ]);
    expect(saga.failureReason).toMatch(/exceeds the limit/);

    const payment = await http(system.baseUrl, "GET", `/orders/${orderId}/payment`);
    expect(payment.body).toMatchObject({ status: "FAILED", amount: "150000.00", currency: "INR" });
    expect(payment.body.failureReason).toMatch(/exceeds the limit/);
  });
});

describe("GET /orders", () => {
  it("pages newest first by cursor and filters by status", async () => {
    const ids: string[] = [];
    for (const price of [1, 2, 3]) {
      const created = await http(system.baseUrl, "POST", "/orders", {
        json: orderOf("list", 1, price),
      });
      ids.push(created.body.orderId as string);
    }
    await Promise.all(ids.map(finalOrder));

    type Page = { rows: Array<{ orderId: string; status: string }>; nextCursor: string | null };
    const first = await http<Page>(system.baseUrl, "GET", "/orders?pageSize=2");
    expect(first.status).toBe(200);
    expect(first.body.rows.map((row) => row.orderId)).toEqual([ids[2], ids[1]]);
    expect(first.body).toMatchObject({ pageSize: 2, nextCursor: expect.any(String) });
    // The next page starts right after the last order of this one.
    const second = await http<Page>(
      system.baseUrl,
      "GET",
      `/orders?pageSize=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.rows[0]!.orderId).toBe(ids[0]);

    const cancelled = await http<Page>(system.baseUrl, "GET", "/orders?status=CANCELLED");
    expect(cancelled.body.rows.length).toBeGreaterThan(0);
    expect(cancelled.body.rows.every((row) => row.status === "CANCELLED")).toBe(true);
  });

  it("walks every order exactly once, page by page, to a last page without a cursor", async () => {
    type Page = { rows: Array<{ orderId: string }>; nextCursor: string | null };
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? "" : `&cursor=${cursor}`;
      const page: HttpResult<Page> = await http<Page>(
        system.baseUrl,
        "GET",
        `/orders?pageSize=1${query}`,
      );
      seen.push(...page.body.rows.map((row) => row.orderId));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    const all = await http<Page>(system.baseUrl, "GET", "/orders?pageSize=100");
    expect(seen).toEqual(all.body.rows.map((row) => row.orderId));
    expect(new Set(seen).size).toBe(seen.length);
  });
});
