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

describe("ConfirmOrderHandler (ApproveOrder)", () => {
  it("confirms a pending order, saves it and raises OrderConfirmed", async () => {
    const orders = repositoryWithPendingOrder();
    expect(unwrap(await confirm.execute({ orderId: "order-1" }, orders))).toBe("applied");
    expect((await orders.findById("order-1"))?.status).toBe("CONFIRMED");
    expect(orders.outbox).toEqual([{ type: "OrderConfirmed", orderId: "order-1", at: LATER }]);
  });

  it("an ApproveOrder sent again is unchanged and answers OrderConfirmed again", async () => {
    const orders = repositoryWithPendingOrder();
    await confirm.execute({ orderId: "order-1" }, orders);
    expect(unwrap(await confirm.execute({ orderId: "order-1" }, orders))).toBe("unchanged");
    expect((await orders.findById("order-1"))?.status).toBe("CONFIRMED");
    expect(orders.outbox.map((event) => event.type)).toEqual(["OrderConfirmed", "OrderConfirmed"]);
  });

  it("an ApproveOrder for a cancelled order is refused, and answered with OrderCancelled", async () => {
    const orders = repositoryWithPendingOrder();
    await cancel.execute(
      { orderId: "order-1", reason: "payment timed out", requestedBy: "saga" },
      orders,
    );
    expect(unwrap(await confirm.execute({ orderId: "order-1" }, orders))).toBe("unchanged");
    expect((await orders.findById("order-1"))?.status).toBe("CANCELLED");
    expect(orders.outbox.map((event) => event.type)).toEqual(["OrderCancelled", "OrderCancelled"]);
  });

  it("answers ORDER_NOT_FOUND for an unknown order", async () => {
    const error = unwrapError(
      await confirm.execute({ orderId: "nope" }, new InMemoryOrderRepository()),
    );
    expect(error.code).toBe("ORDER_NOT_FOUND");
  });
});
