import { MAX_ITEMS_PER_ORDER, Order } from "../../../services/order/domain/order.aggregate";
import { inr, usd } from "../support/money";
import { CUSTOMER, item, LATER, pendingOrder, PLACED_AT } from "../support/orders";
import { unwrap, unwrapError } from "../support/result";

const place = (items: ReturnType<typeof item>[]) =>
  Order.place({ id: "order-1", customerId: CUSTOMER, items, currency: "INR", now: PLACED_AT });

describe("Order.place", () => {
  it("computes the total in the domain: 2 × 499.50 = 999.00", () => {
    const order = unwrap(place([item("p-1", 2, inr(49950))]));
    expect(order.total.toDecimalString()).toBe("999.00");
    expect(order.total.currency).toBe("INR");
    expect(order.status).toBe("PENDING");
    expect(order.createdAt).toEqual(PLACED_AT);
  });

  it("adds up every line without float drift: 3 × 0.10 + 1 × 0.20 = 0.50", () => {
    const order = unwrap(place([item("p-1", 3, inr(10)), item("p-2", 1, inr(20))]));
    expect(order.total.toDecimalString()).toBe("0.50");
  });

  it("refuses an order without items, naming the items field", () => {
    const error = unwrapError(place([]));
    expect(error.code).toBe("INVALID_ORDER");
    expect(Object.keys(error.details ?? {})).toEqual(["items"]);
  });

  it(`accepts exactly ${MAX_ITEMS_PER_ORDER} items and refuses one more`, () => {
    const lines = (count: number) => Array.from({ length: count }, (_, i) => item(`p-${i}`, 1));
    expect(unwrap(place(lines(MAX_ITEMS_PER_ORDER))).items).toHaveLength(MAX_ITEMS_PER_ORDER);
    const error = unwrapError(place(lines(MAX_ITEMS_PER_ORDER + 1)));
    expect(error.code).toBe("INVALID_ORDER");
    expect(error.details).toEqual({ items: expect.stringContaining(String(MAX_ITEMS_PER_ORDER)) });
  });

  it("refuses a price in another currency, naming the line", () => {
    const error = unwrapError(place([item("p-1", 1, inr(100)), item("p-2", 1, usd(100))]));
    expect(error.code).toBe("INVALID_ORDER");
    expect(error.details).toEqual({ "items[1].price": "must be in INR" });
  });

  it("raises OrderPlaced once, with its customer, the items and the computed total", () => {
    const order = unwrap(place([item("p-1", 2)]));
    const events = order.pullMessages();
    expect(events).toEqual([
      {
        type: "OrderPlaced",
        orderId: "order-1",
        customerId: CUSTOMER,
        items: order.items,
        total: order.total,
        at: PLACED_AT,
      },
    ]);
    expect(order.pullMessages()).toEqual([]);
  });

  it("restoring from storage raises no event", () => {
    const placed = pendingOrder();
    const restored = Order.restore({
      id: placed.id,
      customerId: placed.customerId,
      items: placed.items,
      currency: placed.currency,
      status: placed.status,
      cancellationReason: null,
      createdAt: placed.createdAt,
      updatedAt: placed.updatedAt,
    });
    expect(restored.pullMessages()).toEqual([]);
    expect(restored.total.toDecimalString()).toBe("999.00");
  });
});

describe("Order.confirm", () => {
  it("moves PENDING to CONFIRMED and raises OrderConfirmed once", () => {
    const order = pendingOrder();
    expect(unwrap(order.confirm(LATER))).toBe("applied");
    expect(order.status).toBe("CONFIRMED");
    expect(order.updatedAt).toEqual(LATER);
    expect(order.pullMessages()).toEqual([
      { type: "OrderConfirmed", orderId: "order-1", at: LATER },
    ]);
  });

  it("a repeated confirm is unchanged and answers OrderConfirmed again", () => {
    const order = pendingOrder();
    order.confirm(LATER);
    order.pullMessages();
    const again = new Date("2025-02-01T00:00:00Z");
    expect(unwrap(order.confirm(again))).toBe("unchanged");
    expect(order.updatedAt).toEqual(LATER);
    expect(order.pullMessages()).toEqual([
      { type: "OrderConfirmed", orderId: "order-1", at: again },
    ]);
  });

  it("a confirm that finds the order cancelled is refused and answers OrderCancelled", () => {
    const order = pendingOrder();
    order.cancel("payment timed out", LATER);
    order.pullMessages();
    expect(unwrap(order.confirm(LATER))).toBe("unchanged");
    expect(order.status).toBe("CANCELLED");
    expect(order.pullMessages()).toEqual([
      { type: "OrderCancelled", orderId: "order-1", reason: "payment timed out", at: LATER },
    ]);
  });
});

describe("Order.cancel", () => {
  it("moves PENDING to CANCELLED with the reason and raises OrderCancelled once", () => {
    const order = pendingOrder();
    expect(unwrap(order.cancel("payment failed: declined", LATER))).toBe("applied");
    expect(order.status).toBe("CANCELLED");
    expect(order.cancellationReason).toBe("payment failed: declined");
    expect(order.pullMessages()).toEqual([
      { type: "OrderCancelled", orderId: "order-1", reason: "payment failed: declined", at: LATER },
    ]);
    expect(order.pullMessages()).toEqual([]);
  });

  it("a repeated cancel is unchanged, keeps the first reason and answers with it again", () => {
    const order = pendingOrder();
    order.cancel("first", LATER);
    order.pullMessages();
    expect(unwrap(order.cancel("second", LATER))).toBe("unchanged");
    expect(order.cancellationReason).toBe("first");
    expect(order.pullMessages()).toEqual([
      { type: "OrderCancelled", orderId: "order-1", reason: "first", at: LATER },
    ]);
  });

  it("refuses to cancel a confirmed order with ILLEGAL_ORDER_TRANSITION", () => {
    const order = pendingOrder();
    order.confirm(LATER);
    order.pullMessages();
    expect(unwrapError(order.cancel("too late", LATER)).code).toBe("ILLEGAL_ORDER_TRANSITION");
    expect(order.status).toBe("CONFIRMED");
    expect(order.cancellationReason).toBeNull();
    expect(order.pullMessages()).toEqual([]);
  });
});
