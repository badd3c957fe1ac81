import { decodeMessage } from "../../../contracts/decode";
import { OrderCreatedContract } from "../../../contracts/order-created.contract";
import { Order } from "../../../services/order/domain/order.aggregate";
import { toOutboxMessage } from "../../../services/order/infrastructure/order-messages.mapper";
import { CUSTOMER, item, LATER, PLACED_AT } from "../support/orders";
import { unwrap } from "../support/result";

const ORDER_ID = "3f1c2a9e-8d4b-4c6a-9f2e-1a2b3c4d5e6f";

function eventsOfAConfirmedOrder() {
  const order = unwrap(
    Order.place({
      id: ORDER_ID,
      customerId: CUSTOMER,
      items: [item("p-1", 2)],
      currency: "INR",
      now: PLACED_AT,
    }),
  );
  order.confirm(LATER);
  return order.pullMessages();
}

describe("order events → contracts", () => {
  it("OrderPlaced becomes OrderCreated on order.created, keyed by orderId, money in minor units", () => {
    const [placed] = eventsOfAConfirmedOrder();
    const message = toOutboxMessage(placed!, "request-7");
    expect(message.topic).toBe("order.created");
    expect(message.key).toBe(ORDER_ID);

    const decoded = decodeMessage(JSON.stringify(message.envelope), OrderCreatedContract);
    expect(decoded).toEqual({
      ok: true,
      envelope: expect.objectContaining({
        correlationId: ORDER_ID,
        causationId: "request-7",
        occurredAt: PLACED_AT.toISOString(),
        payload: {
          orderId: ORDER_ID,
          customerId: CUSTOMER,
          items: [
            { productId: "p-1", quantity: 2, unitPrice: { amountMinor: 49950, currency: "INR" } },
          ],
          total: { amountMinor: 99900, currency: "INR" },
          createdAt: PLACED_AT.toISOString(),
        },
      }),
    });
  });

  it("OrderConfirmed and OrderCancelled go to their own topics with their time", () => {
    const [, confirmed] = eventsOfAConfirmedOrder();
    expect(toOutboxMessage(confirmed!, "m-1")).toMatchObject({
      topic: "order.confirmed",
      envelope: {
        type: "OrderConfirmed",
        payload: { orderId: ORDER_ID, confirmedAt: LATER.toISOString() },
      },
    });
    const cancelled = toOutboxMessage(
      { type: "OrderCancelled", orderId: ORDER_ID, reason: "r", at: LATER },
      "m-2",
    );
    expect(cancelled).toMatchObject({
      topic: "order.cancelled",
      envelope: {
        type: "OrderCancelled",
        payload: { reason: "r", cancelledAt: LATER.toISOString() },
      },
    });
  });
});
