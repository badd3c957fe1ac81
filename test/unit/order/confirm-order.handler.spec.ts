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
    expect(unwrap(await confirm.execute({ orderId: "order-1" }, orders))).toBe("changed");
    expect((await orders.findById("order-1"))?.status).toBe("CONFIRMED");
    expect(orders.outbox).toEqual([{ type: "OrderConfirmed", orderId: "order-1", at: LATER }]);
  });

  it("a redelivered ApproveOrder is unchanged and saves nothing", async () => {
    const orders = repositoryWithPendingOrder();
    await confirm.execute({ orderId: "order-1" }, orders);
    expect(unwrap(await confirm.execute({ orderId: "order-1" }, orders))).toBe("unchanged");
    expect(orders.calls.save).toBe(1);
    expect(orders.outbox).toHaveLength(1);
  });

  it("refuses to confirm a cancelled order and leaves it cancelled", async () => {
    const orders = repositoryWithPendingOrder();
    await cancel.execute({ orderId: "order-1", reason: "payment failed: declined" }, orders);
    const error = unwrapError(await confirm.execute({ orderId: "order-1" }, orders));
    expect(error.code).toBe("ILLEGAL_ORDER_TRANSITION");
    expect((await orders.findById("order-1"))?.status).toBe("CANCELLED");
    expect(orders.calls.save).toBe(1);
  });

  it("answers ORDER_NOT_FOUND for an unknown order", async () => {
    const error = unwrapError(
      await confirm.execute({ orderId: "nope" }, new InMemoryOrderRepository()),
    );
    expect(error.code).toBe("ORDER_NOT_FOUND");
  });
});
