/**
 * The four states of the original keep their meaning; the saga also records how the order ended
 * (ORDER_CONFIRMED / ORDER_CANCELLED), and how it undid a payment it could not use:
 * PAYMENT_TIMED_OUT (no outcome before the deadline; the order is being rejected), COMPENSATING
 * (the order is cancelled; the payment is being cancelled or refunded) and COMPENSATED.
 */
export const SagaState = {
  Started: "STARTED",
  PaymentInitiated: "PAYMENT_INITIATED",
  PaymentCompleted: "PAYMENT_COMPLETED",
  PaymentFailed: "PAYMENT_FAILED",
  PaymentTimedOut: "PAYMENT_TIMED_OUT",
  OrderConfirmed: "ORDER_CONFIRMED",
  OrderCancelled: "ORDER_CANCELLED",
  Compensating: "COMPENSATING",
  Compensated: "COMPENSATED",
} as const;

export type SagaState = (typeof SagaState)[keyof typeof SagaState];

export const FINAL_SAGA_STATES: readonly SagaState[] = [
  SagaState.OrderConfirmed,
  SagaState.OrderCancelled,
  SagaState.Compensated,
];
