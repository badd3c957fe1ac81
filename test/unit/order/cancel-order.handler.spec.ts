import { CancelOrderHandler } from "../../../services/order/application/cancel-order/cancel-order.handler";
import { ConfirmOrderHandler } from "../../../services/order/application/confirm-order/confirm-order.handler";
import { InMemoryOrderRepository } from "../support/in-memory-order.repository";
import { CUSTOMER, LATER, pendingOrder } from "../support/orders";
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
      { orderId: "order-1", reason: "payment failed: x", requestedBy: "saga" },
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
    await cancel.execute({ orderId: "order-1", reason: "r", requestedBy: "saga" }, orders);
    expect(
      unwrap(
        await cancel.execute({ orderId: "order-1", reason: "r", requestedBy: "saga" }, orders),
      ),
    ).toBe("unchanged");
    expect(orders.outbox.map((event) => event.type)).toEqual(["OrderCancelled", "OrderCancelled"]);
  });

  it("refuses to cancel a confirmed order and leaves it confirmed", async () => {
    const orders = repositoryWithPendingOrder();
    await confirm.execute({ orderId: "order-1" }, orders);
    const error = unwrapError(
      await cancel.execute({ orderId: "order-1", reason: "r", requestedBy: "saga" }, orders),
    );
    expect(error.code).toBe("ILLEGAL_ORDER_TRANSITION");
    expect((await orders.findById("order-1"))?.status).toBe("CONFIRMED");
  });

  it("answers ORDER_NOT_FOUND for an unknown order", async () => {
    const error = unwrapError(
      await cancel.execute(
        { orderId: "nope", reason: "r", requestedBy: "saga" },
        new InMemoryOrderRepository(),
      ),
    );
    expect(error.code).toBe("ORDER_NOT_FOUND");
  });
});

describe("CancelOrderHandler (a customer cancels through the API)", () => {
  const owner = { customerId: CUSTOMER, admin: false };
  const stranger = { customerId: "customer-b", admin: false };
  const admin = { customerId: "support-1", admin: true };
  const byCustomer = (requestedBy: typeof owner) => ({
    orderId: "order-1",
    reason: "cancelled by the customer",
    requestedBy,
  });

  it("cancels the owner's pending order with the reason and raises OrderCancelled", async () => {
    const orders = repositoryWithPendingOrder();
    expect(unwrap(await cancel.execute(byCustomer(owner), orders))).toBe("applied");
    const stored = await orders.findById("order-1");
    expect(stored?.status).toBe("CANCELLED");
    expect(stored?.cancellationReason).toBe("cancelled by the customer");
    expect(orders.outbox.map((event) => event.type)).toEqual(["OrderCancelled"]);
  });

  it("another customer's order is not found, and stays pending", async () => {
    const orders = repositoryWithPendingOrder();
    const error = unwrapError(await cancel.execute(byCustomer(stranger), orders));
    expect(error.code).toBe("ORDER_NOT_FOUND");
    expect((await orders.findById("order-1"))?.status).toBe("PENDING");
    expect(orders.outbox).toEqual([]);
  });

  it("an admin may cancel any customer's pending order", async () => {
    const orders = repositoryWithPendingOrder();
    expect(unwrap(await cancel.execute(byCustomer(admin), orders))).toBe("applied");
  });

  it.each([
    ["confirmed", "CONFIRMED"],
    ["already cancelled", "CANCELLED"],
  ])("an order that is %s is a conflict, and nothing is written", async (_, status) => {
    const orders = repositoryWithPendingOrder();
    if (status === "CONFIRMED") await confirm.execute({ orderId: "order-1" }, orders);
    else await cancel.execute(byCustomer(owner), orders);
    const written = orders.outbox.length;
    const error = unwrapError(await cancel.execute(byCustomer(owner), orders));
    expect(error.code).toBe("ORDER_ALREADY_ENDED");
    expect(error.message).toContain(status);
    expect((await orders.findById("order-1"))?.status).toBe(status);
    expect(orders.outbox).toHaveLength(written);
  });
});
