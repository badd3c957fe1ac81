import { AdvanceSagaHandler } from "../../../services/saga/application/advance-saga/advance-saga.handler";
import type { SagaState } from "../../../services/saga/domain/saga-state";
import {
  InMemoryOrderSagaRepository,
  sagaRepositoryWith,
} from "../support/in-memory-order-saga.repository";
import { unwrap, unwrapError } from "../support/result";

const NOW = new Date("2025-01-01T10:00:05.000Z");
const handler = new AdvanceSagaHandler(() => NOW);
const completed = {
  orderId: "order-1",
  causationId: "payment-completed-1",
  trigger: "PaymentCompleted",
} as const;
const failed = {
  orderId: "order-1",
  causationId: "payment-failed-1",
  trigger: "PaymentFailed",
  reason: "card declined",
} as const;
const confirmed = {
  orderId: "order-1",
  causationId: "order-confirmed-1",
  trigger: "OrderConfirmed",
} as const;
const cancelled = {
  orderId: "order-1",
  causationId: "order-cancelled-1",
  trigger: "OrderCancelled",
  reason: "payment failed: card declined",
} as const;
const deadline = {
  orderId: "order-1",
  causationId: "deadline-sweep-1",
  trigger: "DeadlinePassed",
} as const;

const seeded = (state: SagaState) => sagaRepositoryWith(state, NOW);

describe("AdvanceSagaHandler: the payment service replies", () => {
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
    expect(unwrap(await handler.execute(completed, sagas))).toBe("unchanged");
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

describe("AdvanceSagaHandler: the order service replies", () => {
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
    expect(unwrap(await handler.execute(confirmed, sagas))).toBe("unchanged");
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

describe("AdvanceSagaHandler: a deadline passes", () => {
  it("PAYMENT_INITIATED gives up: PAYMENT_TIMED_OUT, saved, RejectOrder queued", async () => {
    const sagas = seeded("PAYMENT_INITIATED");
    expect(unwrap(await handler.execute(deadline, sagas))).toBe("applied");
    expect(sagas.calls).toEqual({ add: 0, save: 1 });
    expect(sagas.stateOf("order-1")).toBe("PAYMENT_TIMED_OUT");
    expect(sagas.outbox).toEqual([
      { type: "RejectOrder", orderId: "order-1", reason: "payment timed out" },
    ]);
  });

  it("a final saga is left alone and nothing is saved", async () => {
    const sagas = seeded("ORDER_CONFIRMED");
    expect(unwrap(await handler.execute(deadline, sagas))).toBe("unchanged");
    expect(sagas.calls).toEqual({ add: 0, save: 0 });
    expect(sagas.outbox).toEqual([]);
  });
});
