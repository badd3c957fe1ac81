import {
  PaymentCancelledContract,
  PaymentCompletedContract,
  PaymentFailedContract,
  PaymentRefundedContract,
  fitReason,
} from "../../../contracts";
import { outgoingMessage, type OutboxMessage } from "../../shared/messaging/outbox";
import type { PaymentEvent } from "../domain/payment.events";

/** Domain events → published contracts for the payment context. */
export function toOutboxMessage(event: PaymentEvent, causationId: string): OutboxMessage {
  const context = { correlationId: event.orderId, causationId, occurredAt: event.at };
  const fact = {
    orderId: event.orderId,
    paymentId: event.paymentId,
    amount: { amountMinor: event.amount.minor, currency: event.amount.currency },
  };
  const at = event.at.toISOString();
  switch (event.type) {
    case "PaymentCompleted":
      return outgoingMessage(PaymentCompletedContract, { ...fact, completedAt: at }, context);
    case "PaymentFailed":
      return outgoingMessage(
        PaymentFailedContract,
        { ...fact, reason: fitReason(event.reason), failedAt: at },
        context,
      );
    case "PaymentCancelled":
      return outgoingMessage(
        PaymentCancelledContract,
        { ...fact, reason: fitReason(event.reason), cancelledAt: at },
        context,
      );
    case "PaymentRefunded":
      return outgoingMessage(
        PaymentRefundedContract,
        { ...fact, reason: fitReason(event.reason), refundedAt: at },
        context,
      );
  }
}
