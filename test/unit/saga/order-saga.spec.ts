import { OrderSaga, type SagaTransition } from "../../../services/saga/domain/order-saga.aggregate";
import type { SagaCommand } from "../../../services/saga/domain/saga.commands";
import { SagaState } from "../../../services/saga/domain/saga-state";
import { SAGA_STEPS, type SagaStep } from "../../../services/saga/domain/saga-transitions";
import { inr } from "../support/money";
import { unwrap, unwrapError } from "../support/result";

/**
 * The saga's state machine, Eventuate CreateOrderSagaTest style: given a saga in a state, when a
 * step arrives, then it is applied (one transition, the right command), a duplicate (nothing), or
 * illegal (ILLEGAL_SAGA_TRANSITION, nothing). The expectations are written out here, not read
 * from SAGA_STEPS, so a wrong entry in the table fails a test.
 */
const ORDER_ID = "order-1";
const AMOUNT = inr(99900);
const BEFORE = new Date("2025-01-01T10:00:00.000Z");
const NOW = new Date("2025-01-01T10:00:05.000Z");
const CAUSE = "message-42";
const REASON = "card declined";

const {
  Started,
  PaymentInitiated,
  PaymentCompleted,
  PaymentFailed,
  PaymentTimedOut,
  OrderConfirmed,
  OrderCancelled,
  Compensating,
  Compensated,
} = SagaState;
const ALL_STATES = Object.values(SagaState);

const when: Record<SagaStep, (saga: OrderSaga) => ReturnType<OrderSaga["markPaymentInitiated"]>> = {
  paymentInitiated: (saga) => saga.markPaymentInitiated(CAUSE, NOW),
  paymentCompleted: (saga) => saga.markPaymentCompleted(CAUSE, NOW),
  paymentFailed: (saga) => saga.markPaymentFailed(REASON, CAUSE, NOW),
  orderConfirmed: (saga) => saga.markOrderConfirmed(CAUSE, NOW),
  paymentTimedOut: (saga) => saga.markPaymentTimedOut(CAUSE, NOW),
  orderCancelled: (saga) => saga.markOrderCancelled(REASON, CAUSE, NOW),
  paymentReleased: (saga) => saga.markPaymentReleased(true, CAUSE, NOW),
};

const given = (state: SagaState) =>
  OrderSaga.restore({
    orderId: ORDER_ID,
    state,
    amount: AMOUNT,
    failureReason: null,
    createdAt: BEFORE,
    updatedAt: BEFORE,
  });

const APPLIED: Array<[SagaState, SagaStep, SagaState, string | null, SagaCommand[]]> = [
  [
    Started,
    "paymentInitiated",
    PaymentInitiated,
    null,
    [{ type: "InitiatePayment", orderId: ORDER_ID, amount: AMOUNT }],
  ],
  [
    PaymentInitiated,
    "paymentCompleted",
    PaymentCompleted,
    null,
    [{ type: "ApproveOrder", orderId: ORDER_ID }],
  ],
  [
    PaymentInitiated,
    "paymentFailed",
    PaymentFailed,
    REASON,
    [{ type: "RejectOrder", orderId: ORDER_ID, reason: `payment failed: ${REASON}` }],
  ],
  [PaymentCompleted, "orderConfirmed", OrderConfirmed, null, []],
  [PaymentFailed, "orderCancelled", OrderCancelled, REASON, []],
  [
    PaymentInitiated,
    "paymentTimedOut",
    PaymentTimedOut,
    "payment timed out",
    [{ type: "RejectOrder", orderId: ORDER_ID, reason: "payment timed out" }],
  ],
  [
    PaymentTimedOut,
    "orderCancelled",
    Compensating,
    REASON,
    [{ type: "CancelPayment", orderId: ORDER_ID, amount: AMOUNT, reason: "order cancelled" }],
  ],
  [
    PaymentCompleted,
    "orderCancelled",
    Compensating,
    REASON,
    [
      {
        type: "CancelPayment",
        orderId: ORDER_ID,
        amount: AMOUNT,
        reason: `order cancelled: ${REASON}`,
      },
    ],
  ],
  [Compensating, "paymentReleased", Compensated, "payment refunded", []],
];

const DUPLICATES: Array<[SagaState, SagaStep]> = [
  [PaymentInitiated, "paymentInitiated"],
  [PaymentCompleted, "paymentInitiated"],
  [PaymentFailed, "paymentInitiated"],
  [OrderConfirmed, "paymentInitiated"],
  [OrderCancelled, "paymentInitiated"],
  [PaymentCompleted, "paymentCompleted"],
  [OrderConfirmed, "paymentCompleted"],
  [PaymentFailed, "paymentFailed"],
  [OrderCancelled, "paymentFailed"],
  [OrderConfirmed, "orderConfirmed"],
  [OrderCancelled, "orderCancelled"],
  // Once the saga has given up on the payment, its late outcome changes nothing: the
  // CancelPayment the saga sends refunds a charge that went through.
  ...[PaymentTimedOut, Compensating, Compensated].flatMap((state) =>
    (["paymentInitiated", "paymentCompleted", "paymentFailed"] as const).map(
      (step): [SagaState, SagaStep] => [state, step],
    ),
  ),
  [Compensating, "orderCancelled"],
  [Compensated, "orderCancelled"],
  [Compensated, "paymentReleased"],
];

const listed = (state: SagaState, step: SagaStep) =>
  APPLIED.some(([from, s]) => from === state && s === step) ||
  DUPLICATES.some(([at, s]) => at === state && s === step);

/** Every other (state × step) pair. */
const ILLEGAL: Array<[SagaState, SagaStep]> = ALL_STATES.flatMap((state) =>
  (Object.keys(when) as SagaStep[])
    .filter((step) => !listed(state, step))
    .map((step): [SagaState, SagaStep] => [state, step]),
);

describe("OrderSaga state machine", () => {
  test.each(APPLIED)(
    "given %s, when %s, then %s with one transition and its command",
    (from, step, to, note, commands) => {
      const saga = given(from);
      expect(unwrap(when[step](saga))).toBe("applied");
      expect(saga.state).toBe(to);
      expect(saga.updatedAt).toEqual(NOW);
      expect(saga.pullTransitions()).toEqual<SagaTransition[]>([
        { from, to, at: NOW, causationId: CAUSE, note },
      ]);
      expect(saga.pullCommands()).toEqual(commands);
    },
  );

  test.each(DUPLICATES)(
    "given %s, when %s again, then a duplicate: no transition, no command",
    (state, step) => {
      const saga = given(state);
      expect(unwrap(when[step](saga))).toBe("duplicate");
      expect(saga.state).toBe(state);
      expect(saga.updatedAt).toEqual(BEFORE);
      expect(saga.pullTransitions()).toEqual([]);
      expect(saga.pullCommands()).toEqual([]);
    },
  );

  test.each(ILLEGAL)(
    "given %s, when %s, then ILLEGAL_SAGA_TRANSITION and nothing changes",
    (state, step) => {
      const saga = given(state);
      expect(unwrapError(when[step](saga)).code).toBe("ILLEGAL_SAGA_TRANSITION");
      expect(saga.state).toBe(state);
      expect(saga.failureReason).toBeNull();
      expect(saga.pullTransitions()).toEqual([]);
      expect(saga.pullCommands()).toEqual([]);
    },
  );

  it("covers every step in every state exactly once", () => {
    const steps = Object.keys(SAGA_STEPS).sort();
    expect(Object.keys(when).sort()).toEqual(steps);
    expect(APPLIED.length + DUPLICATES.length + ILLEGAL.length).toBe(
      steps.length * ALL_STATES.length,
    );
    expect(ILLEGAL).toHaveLength(31);
  });
});
