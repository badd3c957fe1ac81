import { OrderSaga, type SagaTransition } from "../../../services/saga/domain/saga.aggregate";
import type { SagaCommand } from "../../../services/saga/domain/saga.commands";
import { SagaState } from "../../../services/saga/domain/saga-state";
import { SAGA_STEPS, type SagaStep } from "../../../services/saga/domain/saga.definition";
import { inr } from "../support/money";
import { unwrap, unwrapError } from "../support/result";

/**
 * The saga's state machine, Eventuate CreateOrderSagaTest style: given a saga in a state, when a
 * step arrives, then it is applied (one transition, the right command), unchanged (a repeat: nothing), or
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

const when = (step: SagaStep) => (saga: OrderSaga) =>
  saga.advance(step, { reason: REASON }, CAUSE, NOW);
const STEPS = Object.keys(SAGA_STEPS) as SagaStep[];

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
    "OrderCreated",
    PaymentInitiated,
    null,
    [{ type: "InitiatePayment", orderId: ORDER_ID, amount: AMOUNT }],
  ],
  [
    PaymentInitiated,
    "PaymentCompleted",
    PaymentCompleted,
    null,
    [{ type: "ApproveOrder", orderId: ORDER_ID }],
  ],
  [
    PaymentInitiated,
    "PaymentFailed",
    PaymentFailed,
    REASON,
    [{ type: "RejectOrder", orderId: ORDER_ID, reason: `payment failed: ${REASON}` }],
  ],
  [PaymentCompleted, "OrderConfirmed", OrderConfirmed, null, []],
  [PaymentFailed, "OrderCancelled", OrderCancelled, REASON, []],
  [
    PaymentInitiated,
    "PaymentTimedOut",
    PaymentTimedOut,
    "payment timed out",
    [{ type: "RejectOrder", orderId: ORDER_ID, reason: "payment timed out" }],
  ],
  [
    PaymentTimedOut,
    "OrderCancelled",
    Compensating,
    REASON,
    [{ type: "CancelPayment", orderId: ORDER_ID, amount: AMOUNT, reason: "order cancelled" }],
  ],
  // The order was cancelled (by its customer) while the payment was open or after it was
  // taken: the payment is released or refunded.
  ...([Started, PaymentInitiated, PaymentCompleted] as const).map(
    (from): [SagaState, SagaStep, SagaState, string | null, SagaCommand[]] => [
      from,
      "OrderCancelled",
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
  ),
  [Compensating, "PaymentRefunded", Compensated, "payment refunded", []],
  [Compensating, "PaymentCancelled", Compensated, "payment cancelled, nothing was charged", []],
];

const DUPLICATES: Array<[SagaState, SagaStep]> = [
  [PaymentInitiated, "OrderCreated"],
  [PaymentCompleted, "OrderCreated"],
  [PaymentFailed, "OrderCreated"],
  [OrderConfirmed, "OrderCreated"],
  [OrderCancelled, "OrderCreated"],
  [PaymentCompleted, "PaymentCompleted"],
  [OrderConfirmed, "PaymentCompleted"],
  [PaymentFailed, "PaymentFailed"],
  [OrderCancelled, "PaymentFailed"],
  [OrderConfirmed, "OrderConfirmed"],
  [OrderCancelled, "OrderCancelled"],
  // Once the saga has given up on the payment, its late outcome changes nothing: the
  // CancelPayment the saga sends refunds a charge that went through.
  ...[PaymentTimedOut, Compensating, Compensated].flatMap((state) =>
    (["OrderCreated", "PaymentCompleted", "PaymentFailed"] as const).map(
      (step): [SagaState, SagaStep] => [state, step],
    ),
  ),
  [Compensating, "OrderCancelled"],
  [Compensated, "OrderCancelled"],
  [Compensated, "PaymentRefunded"],
  [Compensated, "PaymentCancelled"],
];

const listed = (state: SagaState, step: SagaStep) =>
  APPLIED.some(([from, s]) => from === state && s === step) ||
  DUPLICATES.some(([at, s]) => at === state && s === step);

/** Every other (state × step) pair. */
const ILLEGAL: Array<[SagaState, SagaStep]> = ALL_STATES.flatMap((state) =>
  STEPS.filter((step) => !listed(state, step)).map((step): [SagaState, SagaStep] => [state, step]),
);

describe("OrderSaga state machine", () => {
  test.each(APPLIED)(
    "given %s, when %s, then %s with one transition and its command",
    (from, step, to, note, commands) => {
      const saga = given(from);
      expect(unwrap(when(step)(saga))).toBe("applied");
      expect(saga.state).toBe(to);
      expect(saga.updatedAt).toEqual(NOW);
      expect(saga.pullTransitions()).toEqual<SagaTransition[]>([
        { from, to, at: NOW, causationId: CAUSE, note },
      ]);
      expect(saga.pullMessages()).toEqual(commands);
    },
  );

  test.each(DUPLICATES)(
    "given %s, when %s again, then unchanged: no transition, no command",
    (state, step) => {
      const saga = given(state);
      expect(unwrap(when(step)(saga))).toBe("unchanged");
      expect(saga.state).toBe(state);
      expect(saga.updatedAt).toEqual(BEFORE);
      expect(saga.pullTransitions()).toEqual([]);
      expect(saga.pullMessages()).toEqual([]);
    },
  );

  test.each(ILLEGAL)(
    "given %s, when %s, then ILLEGAL_SAGA_TRANSITION and nothing changes",
    (state, step) => {
      const saga = given(state);
      expect(unwrapError(when(step)(saga)).code).toBe("ILLEGAL_SAGA_TRANSITION");
      expect(saga.state).toBe(state);
      expect(saga.failureReason).toBeNull();
      expect(saga.pullTransitions()).toEqual([]);
      expect(saga.pullMessages()).toEqual([]);
    },
  );

  it("covers every step in every state exactly once", () => {
    expect(STEPS).toHaveLength(8);
    expect(APPLIED.length + DUPLICATES.length + ILLEGAL.length).toBe(
      STEPS.length * ALL_STATES.length,
    );
    expect(ILLEGAL).toHaveLength(36);
  });
});
