/**
 * The four states of the original keep their meaning; the saga now also records how the order
 * ended, so it is finished only once the order service has confirmed or cancelled the order.
 */
export const SagaState = {
  Started: "STARTED",
  PaymentInitiated: "PAYMENT_INITIATED",
  PaymentCompleted: "PAYMENT_COMPLETED",
  PaymentFailed: "PAYMENT_FAILED",
  OrderConfirmed: "ORDER_CONFIRMED",
  OrderCancelled: "ORDER_CANCELLED",
} as const;

export type SagaState = (typeof SagaState)[keyof typeof SagaState];

export const FINAL_SAGA_STATES: readonly SagaState[] = [
  SagaState.OrderConfirmed,
  SagaState.OrderCancelled,
];
