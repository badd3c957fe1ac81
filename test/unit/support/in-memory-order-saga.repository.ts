import {
  OrderSaga,
  type OrderSagaProps,
  type SagaTransition,
} from "../../../services/saga/domain/saga.aggregate";
import type { OrderSagaRepository } from "../../../services/saga/domain/saga.repository.port";
import type { SagaCommand } from "../../../services/saga/domain/saga.commands";
import type { SagaState } from "../../../services/saga/domain/saga-state";
import { inr } from "./money";

/**
 * OrderSagaRepository in memory: reads restore a fresh aggregate, `add`/`save` append the new
 * transitions to `history` and move the queued commands to `outbox`, as the real one does in
 * one transaction. `add` of an existing saga fails like a primary-key violation.
 */
export class InMemoryOrderSagaRepository implements OrderSagaRepository {
  private readonly rows = new Map<string, OrderSagaProps>();
  readonly history: SagaTransition[] = [];
  readonly outbox: SagaCommand[] = [];
  readonly calls = { add: 0, save: 0 };

  async findByOrderId(orderId: string): Promise<OrderSaga | null> {
    const props = this.rows.get(orderId);
    return props ? OrderSaga.restore(props) : null;
  }

  async add(saga: OrderSaga): Promise<void> {
    this.calls.add += 1;
    if (this.rows.has(saga.orderId)) throw new Error(`duplicate primary key ${saga.orderId}`);
    this.store(saga);
  }

  async save(saga: OrderSaga): Promise<void> {
    this.calls.save += 1;
    if (!this.rows.has(saga.orderId)) throw new Error(`saga ${saga.orderId} was never added`);
    this.store(saga);
  }

  /** Stores a saga in a given state as if earlier transactions had put it there. */
  seed(props: OrderSagaProps): void {
    this.rows.set(props.orderId, { ...props });
  }

  stateOf(orderId: string): string | undefined {
    return this.rows.get(orderId)?.state;
  }

  private store(saga: OrderSaga): void {
    this.rows.set(saga.orderId, {
      orderId: saga.orderId,
      state: saga.state,
      amount: saga.amount,
      failureReason: saga.failureReason,
      createdAt: saga.createdAt,
      updatedAt: saga.updatedAt,
    });
    this.history.push(...saga.pullTransitions());
    this.outbox.push(...saga.pullMessages());
  }
}

/** A repository holding one saga, for order-1 (999.00), in `state` since `at`. */
export function sagaRepositoryWith(state: SagaState, at: Date): InMemoryOrderSagaRepository {
  const sagas = new InMemoryOrderSagaRepository();
  sagas.seed({
    orderId: "order-1",
    state,
    amount: inr(99900),
    failureReason: null,
    createdAt: at,
    updatedAt: at,
  });
  return sagas;
}
