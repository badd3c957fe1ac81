import { PaymentCompletedContract, PaymentFailedContract, fitReason } from "../../../contracts";
import { outgoingMessage, type OutboxMessage } from "../../shared/messaging/outbox";
import type { PaymentEvent } from "../domain/payment.events";

/** Domain events → published contracts for the payment context. */
export function toOutboxMessage(event: PaymentEvent, causationId: string): OutboxMessage {
  const context = { correlationId: event.orderId, causationId, occurredAt: event.at };
  const amount = { amountMinor: event.amount.minor, currency: event.amount.currency };
  switch (event.type) {
    case "PaymentCompleted":
      return outgoingMessage(
        PaymentCompletedContract,
        {
          orderId: event.orderId,
          paymentId: event.paymentId,
          amount,
          completedAt: event.at.toISOString(),
        },
        context,
      );
    case "PaymentFailed":
      return outgoingMessage(
        PaymentFailedContract,
        {
          orderId: event.orderId,
          paymentId: event.paymentId,
          amount,
          reason: fitReason(event.reason),
          failedAt: event.at.toISOString(),
        },
        context,
      );
  }
}
