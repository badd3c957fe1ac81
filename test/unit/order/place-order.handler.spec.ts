import type { PlaceOrderCommand } from "../../../services/order/application/place-order/place-order.command";
import { PlaceOrderHandler } from "../../../services/order/application/place-order/place-order.handler";
import { InMemoryOrderRepository } from "../support/in-memory-order.repository";
import { PLACED_AT } from "../support/orders";
import { unwrap, unwrapError } from "../support/result";

function handlerWithIds(...ids: string[]) {
  const queue = [...ids];
  return new PlaceOrderHandler({
    currency: "INR",
    now: () => PLACED_AT,
    newId: () => queue.shift() ?? "unexpected-extra-id",
  });
}

const command = (
  items: PlaceOrderCommand["items"],
  idempotencyKey?: string,
): PlaceOrderCommand => ({
  customerId: "customer-a",
  items,
  idempotencyKey,
  requestId: "req-1",
});

const twoAt499_50 = [{ productId: "p-1", quantity: 2, price: 499.5 }];

describe("PlaceOrderHandler: placing", () => {
  it("stores a PENDING order whose total the domain computed, and raises OrderPlaced", async () => {
    const orders = new InMemoryOrderRepository();
    const result = unwrap(await handlerWithIds("order-1").execute(command(twoAt499_50), orders));

    expect(result).toEqual({ orderId: "order-1", status: "PENDING", replayed: false });
    const stored = await orders.findById("order-1");
    expect(stored?.total.toDecimalString()).toBe("999.00");
    expect(orders.outbox.map((event) => event.type)).toEqual(["OrderPlaced"]);
  });

  it("without an idempotency key, the same body twice makes two orders", async () => {
    const orders = new InMemoryOrderRepository();
    const handler = handlerWithIds("order-1", "order-2");
    await handler.execute(command(twoAt499_50), orders);
    await handler.execute(command(twoAt499_50), orders);
    expect(orders.size).toBe(2);
  });
});

describe("PlaceOrderHandler: validation", () => {
  it("reports every bad field keyed by its path, and stores nothing", async () => {
    const orders = new InMemoryOrderRepository();
    const error = unwrapError(
      await handlerWithIds("order-1").execute(
        command([
          { productId: "p-1", quantity: 0, price: 10 },
          { productId: "p-2", quantity: 1, price: -5 },
          { productId: " ", quantity: 1, price: 1 },
          { productId: "p-4", quantity: 1, price: 1.234 },
          { productId: "p-5", quantity: 1, price: 0 },
          { productId: "p-6", quantity: 1, price: 6 },
        ]),
        orders,
      ),
    );
    expect(error.code).toBe("INVALID_ORDER");
    expect(error.message).toBe("Validation failed");
    expect(Object.keys(error.details ?? {}).sort()).toEqual([
      "items[0].quantity",
      "items[1].price",
      "items[2].productId",
      "items[3].price",
      "items[4].price",
    ]);
    expect(orders.calls.add).toBe(0);
  });

  it("refuses an empty order with an error on items", async () => {
    const error = unwrapError(
      await handlerWithIds("order-1").execute(command([]), new InMemoryOrderRepository()),
    );
    expect(error.code).toBe("INVALID_ORDER");
    expect(error.details).toEqual({ items: expect.any(String) });
  });

  it("refuses more than 100 items with an error on items", async () => {
    const lines = Array.from({ length: 101 }, (_, i) => ({
      productId: `p-${i}`,
      quantity: 1,
      price: 1,
    }));
    const error = unwrapError(
      await handlerWithIds("order-1").execute(command(lines), new InMemoryOrderRepository()),
    );
    expect(error.details).toEqual({ items: expect.any(String) });
  });
});
