import { SagaState } from "./saga-state";

export interface SagaTimeouts {
  /** PAYMENT_INITIATED: how long to wait for the payment's outcome (SAGA_PAYMENT_TIMEOUT_MS). */
  paymentMs: number;
  /** Any other waiting state: how long to wait for a reply before asking again (SAGA_REPLY_TIMEOUT_MS). */
  replyMs: number;
}

/**
 * When a saga that entered `state` at `since` stops waiting: every state but the final ones has
 * a deadline, so no saga can wait forever. What happens then is the saga's `onDeadline`.
 */
export function deadlineOf(state: SagaState, since: Date, timeouts: SagaTimeouts): Date | null {
  switch (state) {
    case SagaState.Started:
    case SagaState.PaymentInitiated:
      return new Date(since.getTime() + timeouts.paymentMs);
    case SagaState.PaymentCompleted:
    case SagaState.PaymentFailed:
    case SagaState.PaymentTimedOut:
    case SagaState.Compensating:
      return new Date(since.getTime() + timeouts.replyMs);
    case SagaState.OrderConfirmed:
    case SagaState.OrderCancelled:
    case SagaState.Compensated:
      return null;
  }
}
