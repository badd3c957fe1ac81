import { Payment, type PaymentProps } from "../../../services/payment/domain/payment.aggregate";
import type { PaymentEvent } from "../../../services/payment/domain/payment.events";
import type { PaymentRepository } from "../../../services/payment/domain/payment.repository.port";
import type { Insertion } from "../../../services/shared/domain/outcome";

/**
 * PaymentRepository in memory: one payment per orderId (a second `add` answers "exists" and
 * stores nothing), reads restore a fresh aggregate, `save` moves pulled events to `outbox`.
 */
export class InMemoryPaymentRepository implements PaymentRepository {
  private readonly rows = new Map<string, PaymentProps>();
  readonly outbox: PaymentEvent[] = [];
  readonly calls = { add: 0, save: 0 };
  /** Runs at the start of `add`: lets a test slip a concurrent duplicate in after the lookup. */
  beforeAdd: (() => Promise<void>) | null = null;

  async findByOrderId(orderId: string): Promise<Payment | null> {
    const props = [...this.rows.values()].find((row) => row.orderId === orderId);
    return props ? Payment.restore(props) : null;
  }

  async add(payment: Payment): Promise<Insertion> {
    this.calls.add += 1;
    await this.beforeAdd?.();
    if ([...this.rows.values()].some((row) => row.orderId === payment.orderId)) return "exists";
    this.rows.set(payment.id, snapshot(payment));
    this.outbox.push(...payment.pullMessages());
    return "added";
  }

  async save(payment: Payment): Promise<void> {
    this.calls.save += 1;
    if (!this.rows.has(payment.id)) throw new Error(`payment ${payment.id} was never added`);
    this.rows.set(payment.id, snapshot(payment));
    this.outbox.push(...payment.pullMessages());
  }

  /** Stores a payment as if an earlier transaction had committed it. */
  seed(payment: Payment): void {
    this.rows.set(payment.id, snapshot(payment));
    payment.pullMessages();
  }

  get size(): number {
    return this.rows.size;
  }
}

function snapshot(payment: Payment): PaymentProps {
  return {
    id: payment.id,
    orderId: payment.orderId,
    amount: payment.amount,
    status: payment.status,
    providerReference: payment.providerReference,
    failureReason: payment.failureReason,
    createdAt: payment.createdAt,
    updatedAt: payment.updatedAt,
  };
}
