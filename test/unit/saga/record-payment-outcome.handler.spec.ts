import { RecordPaymentOutcomeHandler } from "../../../services/saga/application/record-payment-outcome/record-payment-outcome.handler";
import type { SagaState } from "../../../services/saga/domain/saga-state";
import { InMemoryOrderSagaRepository } from "../support/in-memory-order-saga.repository";
import { inr } from "../support/money";
import { unwrap, unwrapError } from "../support/result";

const NOW = new Date("2025-01-01T10:00:05.000Z");
const handler = new RecordPaymentOutcomeHandler(() => NOW);
const completed = {
  orderId: "order-1",
  causationId: "payment-completed-1",
  result: "completed",
} as const;
const failed = {
  orderId: "order-1",
  causationId: "payment-failed-1",
  result: "failed",
  reason: "card declined",
} as const;

const seeded = (state: SagaState) => {
  const sagas = new InMemoryOrderSagaRepository();
  sagas.seed({
    orderId: "order-1",
    state,
    amount: inr(99900),
    failureReason: null,
    createdAt: NOW,
    updatedAt: NOW,
  });
  return sagas;
};

describe("RecordPaymentOutcomeHandler (PaymentCompleted / PaymentFailed)", () => {
  it("PaymentCompleted moves to PAYMENT_COMPLETED, saves, and queues ApproveOrder", async () => {
    const sagas = seeded("PAYMENT_INITIATED");
    expect(unwrap(await handler.execute(completed, sagas))).toBe("applied");
    expect(sagas.calls).toEqual({ add: 0, save: 1 });
    expect(sagas.stateOf("order-1")).toBe("PAYMENT_COMPLETED");
    expect(sagas.history).toEqual([
      {
        from: "PAYMENT_INITIATED",
        to: "PAYMENT_COMPLETED",
        at: NOW,
        causationId: "payment-completed-1",
        note: null,
      },
    ]);
    expect(sagas.outbox).toEqual([{ type: "ApproveOrder", orderId: "order-1" }]);
  });

  it("PaymentFailed moves to PAYMENT_FAILED and queues RejectOrder with the reason", async () => {
    const sagas = seeded("PAYMENT_INITIATED");
    expect(unwrap(await handler.execute(failed, sagas))).toBe("applied");
    expect(sagas.stateOf("order-1")).toBe("PAYMENT_FAILED");
    expect((await sagas.findByOrderId("order-1"))?.failureReason).toBe("card declined");
    expect(sagas.outbox).toEqual([
      { type: "RejectOrder", orderId: "order-1", reason: "payment failed: card declined" },
    ]);
  });

  it("a duplicate PaymentCompleted is a no-op and saves nothing", async () => {
    const sagas = seeded("PAYMENT_COMPLETED");
    expect(unwrap(await handler.execute(completed, sagas))).toBe("duplicate");
    expect(sagas.calls).toEqual({ add: 0, save: 0 });
    expect(sagas.outbox).toEqual([]);
  });

  it("success after failure is ILLEGAL_SAGA_TRANSITION and saves nothing", async () => {
    const sagas = seeded("PAYMENT_FAILED");
    expect(unwrapError(await handler.execute(completed, sagas)).code).toBe(
      "ILLEGAL_SAGA_TRANSITION",
    );
    expect(sagas.calls).toEqual({ add: 0, save: 0 });
    expect(sagas.stateOf("order-1")).toBe("PAYMENT_FAILED");
  });

  it("answers SAGA_NOT_FOUND for an order without a saga", async () => {
    const sagas = new InMemoryOrderSagaRepository();
    expect(unwrapError(await handler.execute(completed, sagas)).code).toBe("SAGA_NOT_FOUND");
    expect(sagas.calls).toEqual({ add: 0, save: 0 });
  });
});
