import type { OrderSaga } from "./order-saga.aggregate";

/**
 * Sagas by orderId. Works inside one transaction: `add`/`save` store the state, append the new
 * transitions to the history and write the queued commands to the outbox.
 */
export interface OrderSagaRepository {
  findByOrderId(orderId: string): Promise<OrderSaga | null>;
  add(saga: OrderSaga): Promise<void>;
  save(saga: OrderSaga): Promise<void>;
}
