import { CancelOrderHandler } from "../../../services/order/application/cancel-order/cancel-order.handler";
import { ConfirmOrderHandler } from "../../../services/order/application/confirm-order/confirm-order.handler";
import { InMemoryOrderRepository } from "../support/in-memory-order.repository";
import { LATER, pendingOrder } from "../support/orders";
import { unwrap, unwrapError } from "../support/result";

const confirm = new ConfirmOrderHandler(() => LATER);
const cancel = new CancelOrderHandler(() => LATER);

function repositoryWithPendingOrder() {
  const orders = new InMemoryOrderRepository();
  orders.seed(pendingOrder("order-1"));
  return orders;
}

describe("CancelOrderHandler (RejectOrder)", () => {
  it("cancels a pending order with the reason, saves it and raises OrderCancelled", async () => {
    const orders = repositoryWithPendingOrder();
    const result = await cancel.execute(
      { orderId: "order-1", reason: "payment failed: x" },
      orders,
    );
    expect(unwrap(result)).toBe("applied");
    const stored = await orders.findById("order-1");
    expect(stored?.status).toBe("CANCELLED");
    expect(stored?.cancellationReason).toBe("payment failed: x");
    expect(orders.outbox).toEqual([
      { type: "OrderCancelled", orderId: "order-1", reason: "payment failed: x", at: LATER },
    ]);
  });

  it("a RejectOrder sent again is unchanged and answers OrderCancelled again", async () => {
    const orders = repositoryWithPendingOrder();
    await cancel.execute({ orderId: "order-1", reason: "r" }, orders);
    expect(unwrap(await cancel.execute({ orderId: "order-1", reason: "r" }, orders))).toBe(
      "unchanged",
    );
    expect(orders.outbox.map((event) => event.type)).toEqual(["OrderCancelled", "OrderCancelled"]);
  });

  it("refuses to cancel a confirmed order and leaves it confirmed", async () => {
    const orders = repositoryWithPendingOrder();
    await confirm.execute({ orderId: "order-1" }, orders);
    const error = unwrapError(await cancel.execute({ orderId: "order-1", reason: "r" }, orders));
    expect(error.code).toBe("ILLEGAL_ORDER_TRANSITION");
    expect((await orders.findById("order-1"))?.status).toBe("CONFIRMED");
  });

  it("answers ORDER_NOT_FOUND for an unknown order", async () => {
    const error = unwrapError(
      await cancel.execute({ orderId: "nope", reason: "r" }, new InMemoryOrderRepository()),
    );
    expect(error.code).toBe("ORDER_NOT_FOUND");
  });
});
