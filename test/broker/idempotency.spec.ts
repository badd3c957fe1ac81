import { TEST_CUSTOMER, tokenFor } from "../support/auth";
import { http, orderOf } from "../support/http";
import { ordersWithKey } from "../support/oms-databases";
import { databasesOf, startTestSystem, type TestSystem } from "../support/test-system";

const NAME = "idempotency";
let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem(NAME, { fresh: true });
});
afterAll(() => system.stop());

const place = (key: string, body: unknown) =>
  http(system.baseUrl, "POST", "/orders", { json: body, headers: { "idempotency-key": key } });

/** Keys are kept per customer: the test customer's `key` is stored as `<customer>:<key>`. */
const storedUnder = (key: string, customer = TEST_CUSTOMER) =>
  ordersWithKey(databasesOf(NAME), `${customer}:${key}`);

describe("POST /orders with an Idempotency-Key", () => {
  it("returns the same order for the same key and body, and creates only one", async () => {
    const first = await place("retry-1", orderOf("p1", 2, 499.5));
    const second = await place("retry-1", {
      items: [{ productId: "p1", quantity: 2, price: 499.5 }],
    });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.orderId).toBe(first.body.orderId);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(await storedUnder("retry-1")).toBe(1);
  });

  it("refuses the same key with a different body with 409", async () => {
    await place("retry-2", orderOf("p1", 1, 10));
    const conflict = await place("retry-2", orderOf("p1", 2, 10));
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({
      status: 409,
      message: expect.stringMatching(/Idempotency-Key/),
    });
    expect(await storedUnder("retry-2")).toBe(1);
  });

  it("creates one order when the same request races itself", async () => {
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => place("race-1", orderOf("p1", 1, 10))),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(201));
    expect(new Set(responses.map((response) => response.body.orderId)).size).toBe(1);
    expect(await storedUnder("race-1")).toBe(1);
  });

  it("scopes a key to its customer: another customer's same key is another order", async () => {
    const mine = await place("shared-key", orderOf("p1", 1, 10));
    const theirs = await http(system.baseUrl, "POST", "/orders", {
      json: orderOf("p1", 1, 10),
      headers: { "idempotency-key": "shared-key" },
      token: await tokenFor("another-customer"),
    });
    expect(theirs.status).toBe(201);
    expect(theirs.body.orderId).not.toBe(mine.body.orderId);
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
    expect(await storedUnder("shared-key")).toBe(1);
    expect(await storedUnder("shared-key", "another-customer")).toBe(1);
  });

  it("treats orders without a key as distinct", async () => {
    const a = await http(system.baseUrl, "POST", "/orders", { json: orderOf("p1", 1, 10) });
    const b = await http(system.baseUrl, "POST", "/orders", { json: orderOf("p1", 1, 10) });
    expect(a.body.orderId).not.toBe(b.body.orderId);
  });
});
