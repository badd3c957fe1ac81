import type { Payment } from "./payment.aggregate";
import type { Insertion } from "../../shared/domain/outcome";

/** Payments, one per order, inside one transaction; `save` also takes the events for the outbox. */
export interface PaymentRepository {
  /** Loads the order's payment for a change (locked until commit). */
  findByOrderId(orderId: string): Promise<Payment | null>;
  /** "exists": a payment for this order was stored first (by a concurrent duplicate command). */
  add(payment: Payment): Promise<Insertion>;
  save(payment: Payment): Promise<void>;
}
