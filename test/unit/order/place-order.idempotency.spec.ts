import type { PlaceOrderCommand } from "../../../services/order/application/place-order/place-order.command";
import { PlaceOrderHandler } from "../../../services/order/application/place-order/place-order.handler";
import { InMemoryOrderRepository } from "../support/in-memory-order.repository";
import { PLACED_AT } from "../support/orders";
import { unwrap, unwrapError } from "../support/result";

let nextId = 0;
const handler = new PlaceOrderHandler({
  currency: "INR",
  now: () => PLACED_AT,
  newId: () => `order-${++nextId}`,
});

const withKey = (items: PlaceOrderCommand["items"], key = "key-1"): PlaceOrderCommand => ({
  customerId: "customer-a",
  items,
  idempotencyKey: key,
  requestId: "req-1",
});

const body = [{ productId: "p-1", quantity: 2, price: 499.5 }];
const otherBody = [{ productId: "p-1", quantity: 3, price: 499.5 }];

describe("PlaceOrderHandler: Idempotency-Key", () => {
  it("same key and same body returns the first order, replayed, and stores no second one", async () => {
    const orders = new InMemoryOrderRepository();
    const first = unwrap(await handler.execute(withKey(body), orders));
    const again = unwrap(await handler.execute(withKey(body), orders));

    expect(first.replayed).toBe(false);
    expect(again).toEqual({ orderId: first.orderId, status: "PENDING", replayed: true });
    expect(orders.size).toBe(1);
    expect(orders.outbox).toHaveLength(1);
  });

  it("a price written 499.5 or 499.50 is the same request", async () => {
    const orders = new InMemoryOrderRepository();
    const parse = (json: string) => JSON.parse(json) as PlaceOrderCommand["items"];
    const first = unwrap(
      await handler.execute(
        withKey(parse('[{"productId":"p-1","quantity":2,"price":499.5}]')),
        orders,
      ),
    );
    const again = unwrap(
      await handler.execute(
        withKey(parse('[{"productId":"p-1","quantity":2,"price":499.50}]')),
        orders,
      ),
    );
    expect(again).toEqual({ orderId: first.orderId, status: "PENDING", replayed: true });
  });

  it("same key with a different body is IDEMPOTENCY_KEY_REUSED and stores nothing", async () => {
    const orders = new InMemoryOrderRepository();
    await handler.execute(withKey(body), orders);
    const error = unwrapError(await handler.execute(withKey(otherBody), orders));
    expect(error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(orders.size).toBe(1);
  });

  it("different keys with the same body make two orders", async () => {
    const orders = new InMemoryOrderRepository();
    await handler.execute(withKey(body, "key-1"), orders);
    await handler.execute(withKey(body, "key-2"), orders);
    expect(orders.size).toBe(2);
  });
});

describe("PlaceOrderHandler: losing the idempotency-key race (add answers key-taken)", () => {
  /** A concurrent request with the same key commits between our lookup and our add. */
  async function raceAgainst(winnerBody: PlaceOrderCommand["items"]) {
    const orders = new InMemoryOrderRepository();
    const winner = new InMemoryOrderRepository();
    const winnerResult = unwrap(await handler.execute(withKey(winnerBody), winner));
    orders.beforeAdd = async () => {
      orders.beforeAdd = null;
      orders.seed((await winner.findById(winnerResult.orderId))!, {
        key: "key-1",
        requestHash: (await winner.findByIdempotencyKey("key-1"))!.requestHash,
      });
    };
    return { orders, winnerOrderId: winnerResult.orderId };
  }

  it("answers with the winner's order as a replay when the bodies match", async () => {
    const { orders, winnerOrderId } = await raceAgainst(body);
    const result = unwrap(await handler.execute(withKey(body), orders));
    expect(result).toEqual({ orderId: winnerOrderId, status: "PENDING", replayed: true });
    expect(orders.calls.add).toBe(1);
    expect(orders.size).toBe(1);
    expect(orders.outbox).toEqual([]);
  });

  it("answers IDEMPOTENCY_KEY_REUSED when the winner had another body", async () => {
    const { orders } = await raceAgainst(otherBody);
    expect(unwrapError(await handler.execute(withKey(body), orders)).code).toBe(
      "IDEMPOTENCY_KEY_REUSED",
    );
    expect(orders.size).toBe(1);
  });

  it("two concurrent requests with one key store one order and agree on its id", async () => {
    const orders = new InMemoryOrderRepository();
    const [a, b] = await Promise.all([
      handler.execute(withKey(body), orders),
      handler.execute(withKey(body), orders),
    ]);
    expect(unwrap(a).orderId).toBe(unwrap(b).orderId);
    expect([unwrap(a).replayed, unwrap(b).replayed].sort()).toEqual([false, true]);
    expect(orders.calls.add).toBe(2); // both passed the lookup: the loser took the key-taken path
    expect(orders.size).toBe(1);
  });

  it("throws (an infrastructure fault) when the key is taken but no order can be read", async () => {
    const orders = new InMemoryOrderRepository();
    orders.add = async () => "exists";
    await expect(handler.execute(withKey(body), orders)).rejects.toThrow(/key-1 is taken/);
  });
});
