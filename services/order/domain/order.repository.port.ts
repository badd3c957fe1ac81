import type { Order } from "./order.aggregate";
import type { Insertion } from "../../shared/domain/outcome";

export interface IdempotencyRecord {
  key: string;
  /** Fingerprint of the request that first used the key. */
  requestHash: string;
}

/**
 * Where orders live, inside one transaction. `add` and `save` also take the order's pulled
 * events for the outbox, so state and messages commit together.
 */
export interface OrderRepository {
  /** Loads the order for a change (the implementation locks it until commit). */
  findById(orderId: string): Promise<Order | null>;
  findByIdempotencyKey(key: string): Promise<{ order: Order; requestHash: string } | null>;
  /** "exists": another request stored an order with the same idempotency key first. */
  add(order: Order, idempotency?: IdempotencyRecord): Promise<Insertion>;
  save(order: Order): Promise<void>;
}
