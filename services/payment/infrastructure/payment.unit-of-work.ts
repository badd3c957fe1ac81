import { AggregateUnitOfWork } from "../../shared/db/aggregate-unit-of-work";
import { flushStatement, statement } from "../../shared/db/sql-database";
import { storedMoney } from "../../shared/db/stored-money";
import { insertOutboxRows } from "../../shared/messaging/outbox";
import { Payment } from "../domain/payment.aggregate";
import type { PaymentRepository } from "../domain/payment.repository.port";
import type { PaymentStatus } from "../domain/payment-status";
import { toOutboxMessage } from "./payment-messages.mapper";

interface PaymentRow {
  id: string;
  order_id: string;
  status: string;
  amount_minor: number;
  currency: string;
  provider_reference: string | null;
  failure_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * What the flush writes: the payment, when a settler may claim it (null: nothing to do), and
 * the span it was queued in, which the settler's span continues.
 */
interface StoredPaymentRow extends PaymentRow {
  settle_after: Date | null;
  trace_parent: string | null;
}

/**
 * Two commands can create an order's payment (InitiatePayment and CancelPayment travel on
 * different topics, so two transactions may handle them at once), and FOR UPDATE locks nothing
 * that does not exist yet: both would insert, and the upsert of the later commit would overwrite
 * the earlier (seen: a CANCELLED payment turned PENDING and charged). A lock per order id, taken
 * in a fixed order before the payments are read, makes the second wait and then find the first.
 */
const LOCK_ORDERS = statement(
  "payment.lock-orders",
  `SELECT pg_advisory_xact_lock(key) FROM (
     SELECT hashtextextended('payment:' || id::text, 0) AS key
     FROM unnest($1::uuid[]) AS id ORDER BY 1) AS keys`,
);
const LOAD = statement(
  "payment.load",
  `SELECT id, order_id, status, amount_minor, currency, provider_reference, failure_reason,
     created_at, updated_at
   FROM payments WHERE order_id = ANY($1::uuid[]) ORDER BY order_id FOR UPDATE`,
);
/** The payments ($1) and their events ($2), in one round trip. */
const FLUSH = flushStatement(
  "payment.flush",
  [
    `INSERT INTO payments (id, order_id, status, amount_minor, currency, provider_reference,
     failure_reason, created_at, updated_at, settle_after, trace_parent)
   SELECT id, order_id, status, amount_minor, currency, provider_reference, failure_reason,
     created_at, updated_at, settle_after, trace_parent
   FROM json_to_recordset($1::json) AS p(id uuid, order_id uuid, status text, amount_minor bigint,
     currency text, provider_reference text, failure_reason text, created_at timestamptz,
     updated_at timestamptz, settle_after timestamptz, trace_parent text)
   ON CONFLICT (id) DO UPDATE
   SET status = EXCLUDED.status, provider_reference = EXCLUDED.provider_reference,
     failure_reason = EXCLUDED.failure_reason, updated_at = EXCLUDED.updated_at,
     settle_after = EXCLUDED.settle_after,
     trace_parent = COALESCE(EXCLUDED.trace_parent, payments.trace_parent)`,
  ],
  insertOutboxRows("$2"),
);

/**
 * The payment context's unit of work: payments by orderId and the events their changes
 * produced, written at flush in one statement for the whole batch. A payment that waits for the
 * provider is written claimable at once (`settle_after`); the settler calls the provider after
 * the commit.
 */
export class PaymentUnitOfWork extends AggregateUnitOfWork<Payment> {
  /** The repository a use case sees while handling the message `causationId`. */
  payments(causationId: string): PaymentRepository {
    return {
      findByOrderId: (orderId) => this.find(orderId),
      // Two copies of one command never get here both: the inbox lets one message id through,
      // and a second command for the order finds this payment (locked) when its batch loads it.
      add: async (payment) => {
        this.collect(payment, causationId);
        return "added";
      },
      save: async (payment) => this.collect(payment, causationId),
    };
  }

  private collect(payment: Payment, causationId: string): void {
    this.markDirty(payment.orderId, payment);
    this.queue(payment.pullMessages().map((event) => toOutboxMessage(event, causationId)));
  }

  protected async load(orderIds: readonly string[]): Promise<Map<string, Payment>> {
    // Sent together: one round trip, and the read runs once the locks are held.
    const [, rows] = await Promise.all([
      this.sql.query(LOCK_ORDERS, [orderIds]),
      this.sql.query<PaymentRow>(LOAD, [orderIds]),
    ]);
    return new Map(rows.map((row) => [row.order_id, toDomain(row)]));
  }

  protected write(payments: Payment[], outbox: readonly object[]): Promise<number[]> {
    const rows = payments.map((payment) => toRow(payment, this.traceparentOf(payment.orderId)));
    return this.flushWith(FLUSH, [rows, outbox]);
  }
}

function toRow(payment: Payment, traceparent: string | null): StoredPaymentRow {
  return {
    settle_after: payment.awaitsProvider ? payment.updatedAt : null,
    trace_parent: traceparent,
    id: payment.id,
    order_id: payment.orderId,
    status: payment.status,
    amount_minor: payment.amount.minor,
    currency: payment.amount.currency,
    provider_reference: payment.providerReference,
    failure_reason: payment.failureReason,
    created_at: payment.createdAt,
    updated_at: payment.updatedAt,
  };
}

function toDomain(row: PaymentRow): Payment {
  return Payment.restore({
    id: row.id,
    orderId: row.order_id,
    amount: storedMoney(row.amount_minor, row.currency, `payment ${row.id}`),
    status: row.status as PaymentStatus,
    providerReference: row.provider_reference,
    failureReason: row.failure_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}
