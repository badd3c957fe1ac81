import { SagaState } from "./saga-state";

/** A business step of the saga and the message that reports it. */
export type SagaStep =
  "paymentInitiated" | "paymentCompleted" | "paymentFailed" | "orderConfirmed" | "orderCancelled";

interface StepRule {
  /** The only state the step may start from. */
  from: SagaState;
  to: SagaState;
  /** States in which the step has already happened: a repeat is a no-op, not an error. */
  alreadyDone: readonly SagaState[];
}

/**
 * The whole state machine in one table. Anything not listed (a payment result before payment
 * was initiated, success after failure, confirming a cancelled order) is an illegal move.
 */
export const SAGA_STEPS: Record<SagaStep, StepRule> = {
  paymentInitiated: {
    from: SagaState.Started,
    to: SagaState.PaymentInitiated,
    alreadyDone: [
      SagaState.PaymentInitiated,
      SagaState.PaymentCompleted,
      SagaState.PaymentFailed,
      SagaState.OrderConfirmed,
      SagaState.OrderCancelled,
    ],
  },
  paymentCompleted: {
    from: SagaState.PaymentInitiated,
    to: SagaState.PaymentCompleted,
    alreadyDone: [SagaState.PaymentCompleted, SagaState.OrderConfirmed],
  },
  paymentFailed: {
    from: SagaState.PaymentInitiated,
    to: SagaState.PaymentFailed,
    alreadyDone: [SagaState.PaymentFailed, SagaState.OrderCancelled],
  },
  orderConfirmed: {
    from: SagaState.PaymentCompleted,
    to: SagaState.OrderConfirmed,
    alreadyDone: [SagaState.OrderConfirmed],
  },
  orderCancelled: {
    from: SagaState.PaymentFailed,
    to: SagaState.OrderCancelled,
    alreadyDone: [SagaState.OrderCancelled],
  },
};
