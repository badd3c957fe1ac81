import {
  OrderCancelledContract,
  OrderConfirmedContract,
  OrderCreatedContract,
  fitReason,
} from "../../../contracts";
import type { Money } from "../../shared/domain/money.value-object";
import { outgoingMessage, type OutboxMessage } from "../../shared/messaging/outbox";
import type { OrderEvent } from "../domain/order.events";

const money = (value: Money) => ({ amountMinor: value.minor, currency: value.currency });

/** Domain events → published contracts: the one place the order context's wire format is decided. */
export function toOutboxMessage(event: OrderEvent, causationId: string): OutboxMessage {
  const context = { correlationId: event.orderId, causationId, occurredAt: event.at };
  switch (event.type) {
    case "OrderPlaced":
      return outgoingMessage(
        OrderCreatedContract,
        {
          orderId: event.orderId,
          customerId: event.customerId,
          items: event.items.map((item) => ({
            productId: item.productId,
            quantity: item.quantity.value,
            unitPrice: money(item.unitPrice),
          })),
          total: money(event.total),
          createdAt: event.at.toISOString(),
        },
        context,
      );
    case "OrderConfirmed":
      return outgoingMessage(
        OrderConfirmedContract,
        { orderId: event.orderId, confirmedAt: event.at.toISOString() },
        context,
      );
    case "OrderCancelled":
      return outgoingMessage(
        OrderCancelledContract,
        {
          orderId: event.orderId,
          reason: fitReason(event.reason),
          cancelledAt: event.at.toISOString(),
        },
        context,
      );
  }
}
