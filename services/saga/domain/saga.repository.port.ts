import type { OrderSaga } from "./saga.aggregate";

/**
 * Sagas by orderId, inside one transaction. `add`/`save` hand over the saga with its new
 * transitions and queued commands; the state, the history and the outbox rows are written
 * together before the transaction commits.
 */
export interface OrderSagaRepository {
  findByOrderId(orderId: string): Promise<OrderSaga | null>;
  add(saga: OrderSaga): Promise<void>;
  save(saga: OrderSaga): Promise<void>;
}
