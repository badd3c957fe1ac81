import { RecordOrderOutcomeHandler } from "../../../services/saga/application/record-order-outcome/record-order-outcome.handler";
import type { SagaState } from "../../../services/saga/domain/saga-state";
import { InMemoryOrderSagaRepository } from "../support/in-memory-order-saga.repository";
import { inr } from "../support/money";
import { unwrap, unwrapError } from "../support/result";

const NOW = new Date("2025-01-01T10:00:09.000Z");
const handler = new RecordOrderOutcomeHandler(() => NOW);
const confirmed = {
  orderId: "order-1",
  causationId: "order-confirmed-1",
  confirmed: true,
} as const;
const cancelled = {
  orderId: "order-1",
  causationId: "order-cancelled-1",
  confirmed: false,
  reason: "payment failed: card declined",
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

describe("RecordOrderOutcomeHandler (OrderConfirmed / OrderCancelled)", () => {
  it("OrderConfirmed ends the saga at ORDER_CONFIRMED with no further command", async () => {
    const sagas = seeded("PAYMENT_COMPLETED");
    expect(unwrap(await handler.execute(confirmed, sagas))).toBe("applied");
    expect(sagas.calls).toEqual({ add: 0, save: 1 });
    expect(sagas.stateOf("order-1")).toBe("ORDER_CONFIRMED");
    expect(sagas.history).toEqual([
      {
        from: "PAYMENT_COMPLETED",
        to: "ORDER_CONFIRMED",
        at: NOW,
        causationId: "order-confirmed-1",
        note: null,
      },
    ]);
    expect(sagas.outbox).toEqual([]);
  });

  it("OrderCancelled ends the saga at ORDER_CANCELLED, noting the reason", async () => {
    const sagas = seeded("PAYMENT_FAILED");
    expect(unwrap(await handler.execute(cancelled, sagas))).toBe("applied");
    expect(sagas.stateOf("order-1")).toBe("ORDER_CANCELLED");
    expect(sagas.history).toEqual([
      expect.objectContaining({ to: "ORDER_CANCELLED", note: "payment failed: card declined" }),
    ]);
  });

  it("a duplicate OrderConfirmed is a no-op and saves nothing", async () => {
    const sagas = seeded("ORDER_CONFIRMED");
    expect(unwrap(await handler.execute(confirmed, sagas))).toBe("duplicate");
    expect(sagas.calls).toEqual({ add: 0, save: 0 });
  });

  it("OrderConfirmed after a failed payment is ILLEGAL_SAGA_TRANSITION and saves nothing", async () => {
    const sagas = seeded("PAYMENT_FAILED");
    expect(unwrapError(await handler.execute(confirmed, sagas)).code).toBe(
      "ILLEGAL_SAGA_TRANSITION",
    );
    expect(sagas.calls).toEqual({ add: 0, save: 0 });
  });

  it("answers SAGA_NOT_FOUND for an order without a saga", async () => {
    const sagas = new InMemoryOrderSagaRepository();
    expect(unwrapError(await handler.execute(cancelled, sagas)).code).toBe("SAGA_NOT_FOUND");
  });
});
