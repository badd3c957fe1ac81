import { OrderSaga } from "../../../services/saga/domain/saga.aggregate";
import { deadlineOf } from "../../../services/saga/domain/saga.definition";
import type { SagaCommand } from "../../../services/saga/domain/saga.commands";
import { FINAL_SAGA_STATES, SagaState } from "../../../services/saga/domain/saga-state";
import { inr } from "../support/money";
import { unwrap } from "../support/result";

const ORDER_ID = "order-1";
const AMOUNT = inr(99900);
const BEFORE = new Date("2025-01-01T10:00:00.000Z");
const NOW = new Date("2025-01-01T10:00:30.000Z");
const SWEEP = "deadline-sweep-1";
const TIMEOUTS = { paymentMs: 30_000, replyMs: 60_000 };

const given = (state: SagaState, failureReason: string | null = null) =>
  OrderSaga.restore({
    orderId: ORDER_ID,
    state,
    amount: AMOUNT,
    failureReason,
    createdAt: BEFORE,
    updatedAt: BEFORE,
  });

describe("saga deadlines", () => {
  it("every state but the final ones has a deadline: the payment's, or the reply's", () => {
    const at = (ms: number) => new Date(BEFORE.getTime() + ms);
    expect(deadlineOf(SagaState.PaymentInitiated, BEFORE, TIMEOUTS)).toEqual(at(30_000));
    for (const state of [
      SagaState.PaymentCompleted,
      SagaState.PaymentFailed,
      SagaState.PaymentTimedOut,
      SagaState.Compensating,
    ]) {
      expect(deadlineOf(state, BEFORE, TIMEOUTS)).toEqual(at(60_000));
    }
    for (const state of FINAL_SAGA_STATES) expect(deadlineOf(state, BEFORE, TIMEOUTS)).toBeNull();
  });

  it("given PAYMENT_INITIATED past its deadline, then PAYMENT_TIMED_OUT and the order is rejected", () => {
    const saga = given(SagaState.PaymentInitiated);
    expect(unwrap(saga.advance("DeadlinePassed", {}, SWEEP, NOW))).toBe("applied");
    expect(saga.state).toBe(SagaState.PaymentTimedOut);
    expect(saga.failureReason).toBe("payment timed out");
    expect(saga.pullTransitions()).toEqual([
      {
        from: SagaState.PaymentInitiated,
        to: SagaState.PaymentTimedOut,
        at: NOW,
        causationId: SWEEP,
        note: "payment timed out",
      },
    ]);
    expect(saga.pullMessages()).toEqual([
      { type: "RejectOrder", orderId: ORDER_ID, reason: "payment timed out" },
    ]);
  });

  it("then the order's cancellation makes it compensate: CancelPayment for the full amount", () => {
    const saga = given(SagaState.PaymentInitiated);
    saga.advance("DeadlinePassed", {}, SWEEP, NOW);
    saga.pullMessages();
    expect(
      unwrap(
        saga.advance("OrderCancelled", { reason: "payment timed out" }, "order-cancelled-1", NOW),
      ),
    ).toBe("applied");
    expect(saga.state).toBe(SagaState.Compensating);
    expect(saga.pullMessages()).toEqual([
      { type: "CancelPayment", orderId: ORDER_ID, amount: AMOUNT, reason: "payment timed out" },
    ]);
    // The payment completing late changes nothing: CancelPayment refunds it.
    expect(unwrap(saga.advance("PaymentCompleted", {}, "late-completion", NOW))).toBe("unchanged");
    expect(unwrap(saga.advance("PaymentRefunded", {}, "payment-refunded-1", NOW))).toBe("applied");
    expect(saga.state).toBe(SagaState.Compensated);
    expect(saga.pullTransitions().map((t) => [t.to, t.note])).toEqual([
      [SagaState.PaymentTimedOut, "payment timed out"],
      [SagaState.Compensating, "payment timed out"],
      [SagaState.Compensated, "payment refunded"],
    ]);
  });

  const REMINDERS: Array<[SagaState, string | null, SagaCommand]> = [
    [SagaState.PaymentCompleted, null, { type: "ApproveOrder", orderId: ORDER_ID }],
    [
      SagaState.PaymentFailed,
      "card declined",
      { type: "RejectOrder", orderId: ORDER_ID, reason: "payment failed: card declined" },
    ],
    [
      SagaState.PaymentTimedOut,
      "payment timed out",
      { type: "RejectOrder", orderId: ORDER_ID, reason: "payment timed out" },
    ],
    [
      SagaState.Compensating,
      "payment timed out",
      { type: "CancelPayment", orderId: ORDER_ID, amount: AMOUNT, reason: "payment timed out" },
    ],
  ];

  test.each(REMINDERS)(
    "given %s past its deadline, then it stays and sends its command again, and says so",
    (state, reason, command) => {
      const saga = given(state, reason);
      expect(unwrap(saga.advance("DeadlinePassed", {}, SWEEP, NOW))).toBe("applied");
      expect(saga.state).toBe(state);
      expect(saga.updatedAt).toEqual(NOW); // the next deadline counts from now
      expect(saga.pullMessages()).toEqual([command]);
      expect(saga.pullTransitions()).toEqual([
        {
          from: state,
          to: state,
          at: NOW,
          causationId: SWEEP,
          note: `no reply before the deadline; ${command.type} sent again`,
        },
      ]);
    },
  );

  test.each(FINAL_SAGA_STATES)("given %s, a deadline changes nothing", (state) => {
    const saga = given(state);
    expect(unwrap(saga.advance("DeadlinePassed", {}, SWEEP, NOW))).toBe("unchanged");
    expect(saga.pullTransitions()).toEqual([]);
    expect(saga.pullMessages()).toEqual([]);
  });

  it("an order that refused approval after the money was taken is refunded", () => {
    const saga = given(SagaState.PaymentCompleted);
    expect(
      unwrap(saga.advance("OrderCancelled", { reason: "cancelled by the customer" }, "oc-1", NOW)),
    ).toBe("applied");
    expect(saga.state).toBe(SagaState.Compensating);
    expect(saga.pullMessages()).toEqual([
      {
        type: "CancelPayment",
        orderId: ORDER_ID,
        amount: AMOUNT,
        reason: "order cancelled: cancelled by the customer",
      },
    ]);
  });
});
