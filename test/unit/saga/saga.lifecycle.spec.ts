import { OrderSaga } from "../../../services/saga/domain/saga.aggregate";
import { SagaState } from "../../../services/saga/domain/saga-state";
import { inr } from "../support/money";

const ORDER_ID = "order-1";
const AMOUNT = inr(99900);
const NOW = new Date("2025-01-01T10:00:05.000Z");
const CAUSE = "message-42";
const { Started, PaymentInitiated, PaymentCompleted, OrderConfirmed } = SagaState;

describe("OrderSaga lifecycle", () => {
  it("start records STARTED with no previous state and queues no command", () => {
    const saga = OrderSaga.start({
      orderId: ORDER_ID,
      amount: AMOUNT,
      causationId: CAUSE,
      now: NOW,
    });
    expect(saga.state).toBe(Started);
    expect(saga.pullTransitions()).toEqual([
      { from: null, to: Started, at: NOW, causationId: CAUSE, note: null },
    ]);
    expect(saga.pullMessages()).toEqual([]);
  });

  it("a failed payment keeps its reason on the saga", () => {
    const saga = OrderSaga.start({
      orderId: ORDER_ID,
      amount: AMOUNT,
      causationId: CAUSE,
      now: NOW,
    });
    saga.advance("OrderCreated", {}, CAUSE, NOW);
    saga.advance("PaymentFailed", { reason: "card declined" }, CAUSE, NOW);
    expect(saga.state).toBe(SagaState.PaymentFailed);
    expect(saga.failureReason).toBe("card declined");
  });

  it("the happy path records every transition in order, each command once", () => {
    const saga = OrderSaga.start({
      orderId: ORDER_ID,
      amount: AMOUNT,
      causationId: "created",
      now: NOW,
    });
    saga.advance("OrderCreated", {}, "created", NOW);
    saga.advance("PaymentCompleted", {}, "completed", NOW);
    saga.advance("OrderConfirmed", {}, "confirmed", NOW);
    expect(saga.pullTransitions().map((t) => [t.from, t.to, t.causationId])).toEqual([
      [null, Started, "created"],
      [Started, PaymentInitiated, "created"],
      [PaymentInitiated, PaymentCompleted, "completed"],
      [PaymentCompleted, OrderConfirmed, "confirmed"],
    ]);
    expect(saga.pullMessages().map((command) => command.type)).toEqual([
      "InitiatePayment",
      "ApproveOrder",
    ]);
    expect(saga.pullTransitions()).toEqual([]);
    expect(saga.pullMessages()).toEqual([]);
  });
});
