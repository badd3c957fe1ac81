import type { Money } from "../../shared/domain/money.value-object";
import type { SagaCommand } from "./saga.commands";
import { SagaState } from "./saga-state";

/**
 * The order saga, whole, in two tables (docs/adr/0016). Read it top to bottom:
 *
 *   OrderCreated      STARTED → PAYMENT_INITIATED            sends InitiatePayment
 *   PaymentCompleted  PAYMENT_INITIATED → PAYMENT_COMPLETED  sends ApproveOrder
 *   OrderConfirmed    PAYMENT_COMPLETED → ORDER_CONFIRMED    final
 *   PaymentFailed     PAYMENT_INITIATED → PAYMENT_FAILED     sends RejectOrder
 *   OrderCancelled    PAYMENT_FAILED → ORDER_CANCELLED       final
 *   (deadline)        PAYMENT_INITIATED → PAYMENT_TIMED_OUT  sends RejectOrder
 *   OrderCancelled    PAYMENT_TIMED_OUT or PAYMENT_COMPLETED → COMPENSATING
 *                                                            sends CancelPayment (the compensation
 *                                                            of InitiatePayment)
 *   OrderCancelled    STARTED or PAYMENT_INITIATED → COMPENSATING (the customer cancelled while
 *                                                            the payment was still open)
 *   PaymentCancelled  COMPENSATING → COMPENSATED             final (nothing was charged)
 *   PaymentRefunded   COMPENSATING → COMPENSATED             final (the charge was refunded)
 *
 * SAGA_STEPS says what each trigger does to the state; SAGA_STATES says what the saga asks for
 * when it enters a state, how long it then waits, and what it does when that deadline passes.
 */

/** The messages that move the saga, by their contract's type. */
export type SagaMessage =
  | "OrderCreated"
  | "PaymentCompleted"
  | "PaymentFailed"
  | "PaymentCancelled"
  | "PaymentRefunded"
  | "OrderConfirmed"
  | "OrderCancelled";

/** A step of the saga: a message it received, or giving up on the payment at its deadline. */
export type SagaStep = SagaMessage | "PaymentTimedOut";

/** What moves a saga: a step, or its state's deadline passing (the sweeper). */
export type SagaTrigger = SagaStep | "DeadlinePassed";

/** What a trigger carries besides the order: the reason, for a failure or a cancellation. */
export interface SagaFact {
  reason?: string;
}

/** Why the saga gave up on a payment, as the order's cancellation reason says. */
export const PAYMENT_TIMED_OUT = "payment timed out";

interface StepRule {
  /** The states the step may start from, and where it leads from each. */
  moves: Partial<Record<SagaState, SagaState>>;
  /**
   * States in which the step has already happened, or can no longer matter: a repeat or a late
   * reply is "unchanged", not an error. (A payment that completes after the saga gave up is
   * refunded by the CancelPayment the saga sends anyway.)
   */
  alreadyDone: readonly SagaState[];
  /** The line the saga's history keeps for the step. */
  note?: (fact: SagaFact) => string | null;
  /** Why the order will not complete, when the step is the reason (kept until the saga ends). */
  failureReason?: (fact: SagaFact, from: SagaState) => string | undefined;
}

const { Started, PaymentInitiated, PaymentCompleted, PaymentFailed, PaymentTimedOut } = SagaState;
const { OrderConfirmed, OrderCancelled, Compensating, Compensated } = SagaState;
const GAVE_UP_ON_PAYMENT = [PaymentTimedOut, Compensating, Compensated];
const reason = (fact: SagaFact) => fact.reason ?? "unknown";

/**
 * Every step and the moves it may make. Anything not listed (a payment result before payment was
 * initiated, confirming a cancelled order) is an illegal move. No step leads to an earlier state.
 */
export const SAGA_STEPS: Record<SagaStep, StepRule> = {
  OrderCreated: {
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
  PaymentCompleted: {
    moves: { [PaymentInitiated]: PaymentCompleted },
    alreadyDone: [PaymentCompleted, OrderConfirmed, ...GAVE_UP_ON_PAYMENT],
  },
  PaymentFailed: {
    moves: { [PaymentInitiated]: PaymentFailed },
    alreadyDone: [PaymentFailed, OrderCancelled, ...GAVE_UP_ON_PAYMENT],
    note: reason,
    failureReason: reason,
  },
  PaymentTimedOut: {
    moves: { [PaymentInitiated]: PaymentTimedOut },
    alreadyDone: [],
    note: () => PAYMENT_TIMED_OUT,
    failureReason: () => PAYMENT_TIMED_OUT,
  },
  OrderConfirmed: {
    moves: { [PaymentCompleted]: OrderConfirmed },
    alreadyDone: [OrderConfirmed],
  },
  OrderCancelled: {
    moves: {
      [PaymentFailed]: OrderCancelled,
      // The saga gave up on the payment, or the order was cancelled after the money was taken:
      // the payment must be undone.
      [PaymentTimedOut]: Compensating,
      [PaymentCompleted]: Compensating,
      // The customer cancelled while the payment was open: whether it is about to be charged,
      // being charged or already charged, CancelPayment releases or refunds it (and one that
      // does not exist yet is recorded cancelled, so it is never charged).
      [Started]: Compensating,
      [PaymentInitiated]: Compensating,
    },
    alreadyDone: [OrderCancelled, Compensating, Compensated],
    note: reason,
    failureReason: (fact, from) =>
      from === PaymentFailed || from === PaymentTimedOut
        ? undefined
        : `order cancelled: ${reason(fact)}`,
  },
  PaymentCancelled: {
    moves: { [Compensating]: Compensated },
    alreadyDone: [Compensated],
    note: () => "payment cancelled, nothing was charged",
  },
  PaymentRefunded: {
    moves: { [Compensating]: Compensated },
    alreadyDone: [Compensated],
    note: () => "payment refunded",
  },
};

/** What a state's command is built from. */
export interface SagaSnapshot {
  orderId: string;
  amount: Money;
  failureReason: string | null;
}

interface StateRule {
  /** The command the saga sends on entering the state, and again each time its deadline passes. */
  sends: ((saga: SagaSnapshot) => SagaCommand) | null;
  /** Which timeout bounds the wait in this state (SagaTimeouts); none for a final state. */
  waits: "payment" | "reply" | null;
  /** At the deadline: take this step, or send the state's command again ("resend"). */
  atDeadline: SagaStep | "resend" | null;
}

/** Every state: the command it sends, how long it waits for the answer, and what then. */
export const SAGA_STATES: Record<SagaState, StateRule> = {
  // Only ever seen by a saga whose first step did not commit: initiate the payment now.
  [Started]: { sends: null, waits: "payment", atDeadline: "OrderCreated" },
  [PaymentInitiated]: {
    sends: ({ orderId, amount }) => ({ type: "InitiatePayment", orderId, amount }),
    waits: "payment",
    atDeadline: "PaymentTimedOut",
  },
  [PaymentCompleted]: {
    sends: ({ orderId }) => ({ type: "ApproveOrder", orderId }),
    waits: "reply",
    atDeadline: "resend",
  },
  [PaymentFailed]: {
    sends: ({ orderId, failureReason }) => ({
      type: "RejectOrder",
      orderId,
      reason: `payment failed: ${failureReason ?? "unknown"}`,
    }),
    waits: "reply",
    atDeadline: "resend",
  },
  [PaymentTimedOut]: {
    sends: ({ orderId }) => ({ type: "RejectOrder", orderId, reason: PAYMENT_TIMED_OUT }),
    waits: "reply",
    atDeadline: "resend",
  },
  [Compensating]: {
    sends: ({ orderId, amount, failureReason }) => ({
      type: "CancelPayment",
      orderId,
      amount,
      reason: failureReason ?? "order cancelled",
    }),
    waits: "reply",
    atDeadline: "resend",
  },
  [OrderConfirmed]: { sends: null, waits: null, atDeadline: null },
  [OrderCancelled]: { sends: null, waits: null, atDeadline: null },
  [Compensated]: { sends: null, waits: null, atDeadline: null },
};

export interface SagaTimeouts {
  /** How long to wait for the payment's outcome (SAGA_PAYMENT_TIMEOUT_MS). */
  paymentMs: number;
  /** How long to wait for any other reply before asking again (SAGA_REPLY_TIMEOUT_MS). */
  replyMs: number;
}

/** When a saga that entered `state` at `since` stops waiting; null for a final state. */
export function deadlineOf(state: SagaState, since: Date, timeouts: SagaTimeouts): Date | null {
  const { waits } = SAGA_STATES[state];
  if (!waits) return null;
  return new Date(since.getTime() + (waits === "payment" ? timeouts.paymentMs : timeouts.replyMs));
}
