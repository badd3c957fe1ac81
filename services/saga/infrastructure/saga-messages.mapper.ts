import {
  ApproveOrderContract,
  CancelPaymentContract,
  InitiatePaymentContract,
  RejectOrderContract,
  fitReason,
} from "../../../contracts";
import { outgoingMessage, type OutboxMessage } from "../../shared/messaging/outbox";
import type { SagaCommand } from "../domain/saga.commands";

/** Saga commands → published contracts. */
export function toOutboxMessage(
  command: SagaCommand,
  causationId: string,
  at: Date,
): OutboxMessage {
  const context = { correlationId: command.orderId, causationId, occurredAt: at };
  switch (command.type) {
    case "InitiatePayment":
      return outgoingMessage(
        InitiatePaymentContract,
        {
          orderId: command.orderId,
          amount: { amountMinor: command.amount.minor, currency: command.amount.currency },
        },
        context,
      );
    case "ApproveOrder":
      return outgoingMessage(ApproveOrderContract, { orderId: command.orderId }, context);
    case "RejectOrder":
      return outgoingMessage(
        RejectOrderContract,
        { orderId: command.orderId, reason: fitReason(command.reason) },
        context,
      );
    case "CancelPayment":
      return outgoingMessage(
        CancelPaymentContract,
        {
          orderId: command.orderId,
          amount: { amountMinor: command.amount.minor, currency: command.amount.currency },
          reason: fitReason(command.reason),
        },
        context,
      );
  }
}
