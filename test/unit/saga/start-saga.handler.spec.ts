import { StartSagaHandler } from "../../../services/saga/application/start-saga/start-saga.handler";
import type { SagaState } from "../../../services/saga/domain/saga-state";
import {
  InMemoryOrderSagaRepository,
  sagaRepositoryWith,
} from "../support/in-memory-order-saga.repository";
import { inr } from "../support/money";
import { unwrap, unwrapError } from "../support/result";

const NOW = new Date("2025-01-01T10:00:00.000Z");
const handler = new StartSagaHandler(() => NOW);
const orderCreated = (amountMinor = 99900, causationId = "order-created-1") => ({
  orderId: "order-1",
  total: { amountMinor, currency: "INR" },
  causationId,
});

const seeded = (state: SagaState) => sagaRepositoryWith(state, NOW);

describe("StartSagaHandler (OrderCreated)", () => {
  it("adds a new saga at PAYMENT_INITIATED and queues InitiatePayment for the total", async () => {
    const sagas = new InMemoryOrderSagaRepository();
    expect(unwrap(await handler.execute(orderCreated(), sagas))).toBe("applied");

    expect(sagas.calls).toEqual({ add: 1, save: 0 });
    expect(sagas.stateOf("order-1")).toBe("PAYMENT_INITIATED");
    expect(sagas.history.map((t) => [t.from, t.to, t.causationId])).toEqual([
      [null, "STARTED", "order-created-1"],
      ["STARTED", "PAYMENT_INITIATED", "order-created-1"],
    ]);
    expect(sagas.outbox).toEqual([
      { type: "InitiatePayment", orderId: "order-1", amount: inr(99900) },
    ]);
  });

  it("a duplicate OrderCreated is a no-op: no add, no save, no second command", async () => {
    const sagas = new InMemoryOrderSagaRepository();
    await handler.execute(orderCreated(), sagas);
    expect(unwrap(await handler.execute(orderCreated(99900, "order-created-1"), sagas))).toBe(
      "unchanged",
    );
    expect(sagas.calls).toEqual({ add: 1, save: 0 });
    expect(sagas.history).toHaveLength(2);
    expect(sagas.outbox).toHaveLength(1);
  });

  it("a late OrderCreated for a saga that already ended changes nothing", async () => {
    const sagas = seeded("ORDER_CONFIRMED");
    expect(unwrap(await handler.execute(orderCreated(), sagas))).toBe("unchanged");
    expect(sagas.calls).toEqual({ add: 0, save: 0 });
    expect(sagas.stateOf("order-1")).toBe("ORDER_CONFIRMED");
  });

  it("an existing saga still at STARTED is saved (not added) and moves on", async () => {
    const sagas = seeded("STARTED");
    expect(unwrap(await handler.execute(orderCreated(), sagas))).toBe("applied");
    expect(sagas.calls).toEqual({ add: 0, save: 1 });
    expect(sagas.outbox.map((command) => command.type)).toEqual(["InitiatePayment"]);
  });

  it("refuses a total that is not whole minor units, storing nothing", async () => {
    const sagas = new InMemoryOrderSagaRepository();
    expect(unwrapError(await handler.execute(orderCreated(999.5), sagas)).code).toBe(
      "INVALID_MONEY",
    );
    expect(sagas.calls).toEqual({ add: 0, save: 0 });
  });
});
