import { SagaState } from "./saga-state";

/** A business step of the saga: a reply it received, or its own deadline passing. */
export type SagaStep =
  | "paymentInitiated"
  | "paymentCompleted"
  | "paymentFailed"
  | "paymentTimedOut"
  | "orderConfirmed"
  | "orderCancelled"
  | "paymentReleased";

interface StepRule {
  /** The states the step may start from, and where it leads from each. */
  moves: Partial<Record<SagaState, SagaState>>;
  /**
   * States in which the step has already happened, or can no longer matter: a repeat or a late
   * reply is a no-op, not an error. (A payment that completes after the saga gave up is refunded
   * by the CancelPayment the saga sends anyway: the payment service refunds what it took.)
   */
  alreadyDone: readonly SagaState[];
}

const { Started, PaymentInitiated, PaymentCompleted, PaymentFailed, PaymentTimedOut } = SagaState;
const { OrderConfirmed, OrderCancelled, Compensating, Compensated } = SagaState;
const GAVE_UP_ON_PAYMENT = [PaymentTimedOut, Compensating, Compensated];

/**
 * The whole state machine in one table. Anything not listed (a payment result before payment
 * was initiated, confirming a cancelled order) is an illegal move. No step leads back to an
 * earlier state.
 */
export const SAGA_STEPS: Record<SagaStep, StepRule> = {
  paymentInitiated: {
    moves: { [Started]: PaymentInitiated },
    alreadyDone: [
      PaymentInitiated,
      PaymentCompleted,
      PaymentFailed,
      OrderConfirmed,
      OrderCancelled,
      ...GAVE_UP_ON_PAYMENT,
    ],
  },
  paymentCompleted: {
    moves: { [PaymentInitiated]: PaymentCompleted },
    alreadyDone: [PaymentCompleted, OrderConfirmed, ...GAVE_UP_ON_PAYMENT],
  },
  paymentFailed: {
    moves: { [PaymentInitiated]: PaymentFailed },
    alreadyDone: [PaymentFailed, OrderCancelled, ...GAVE_UP_ON_PAYMENT],
  },
  paymentTimedOut: {
    moves: { [PaymentInitiated]: PaymentTimedOut },
    alreadyDone: [],
  },
  orderConfirmed: {
    moves: { [PaymentCompleted]: OrderConfirmed },
    alreadyDone: [OrderConfirmed],
  },
  orderCancelled: {
    moves: {
      [PaymentFailed]: OrderCancelled,
      // The saga gave up on the payment, or the order refused approval after the money was
      // taken: the order is cancelled, and the payment must be undone.
      [PaymentTimedOut]: Compensating,
      [PaymentCompleted]: Compensating,
    },
    alreadyDone: [OrderCancelled, Compensating, Compensated],
  },
  paymentReleased: {
    moves: { [Compensating]: Compensated },
    alreadyDone: [Compensated],
  },
};
