import { AggregateUnitOfWork } from "../../shared/db/aggregate-unit-of-work";
import { flushStatement, statement } from "../../shared/db/sql-database";
import { storedMoney } from "../../shared/db/stored-money";
import { insertOutboxRows, outboxRows } from "../../shared/messaging/outbox";
import { Order } from "../domain/order.aggregate";
import type { IdempotencyRecord, OrderRepository } from "../domain/order.repository.port";
import { OrderItem } from "../domain/order-item.value-object";
import type { OrderStatus } from "../domain/order-status";
import { toOutboxMessage } from "./order-messages.mapper";
import type { Insertion } from "../../shared/domain/outcome";

interface OrderRow {
  id: string;
  customer_id: string | null;
  status: string;
  currency: string;
  cancellation_reason: string | null;
  request_hash: string | null;
  created_at: Date;
  updated_at: Date;
  items: Array<{ product_id: string; quantity: number; unit_price_minor: number }>;
}

const SELECT_ORDERS = `
  SELECT o.id, o.customer_id, o.status, o.currency, o.cancellation_reason, o.request_hash, o.created_at,
    o.updated_at,
    (SELECT json_agg(json_build_object('product_id', i.product_id, 'quantity', i.quantity,
       'unit_price_minor', i.unit_price_minor) ORDER BY i.line_no)
     FROM order_items i WHERE i.order_id = o.id) AS items
  FROM orders o`;

const LOAD = statement(
  "order.load",
  `${SELECT_ORDERS} WHERE o.id = ANY($1::uuid[]) ORDER BY o.id FOR UPDATE OF o`,
);
const BY_IDEMPOTENCY_KEY = statement(
  "order.by-key",
  `${SELECT_ORDERS} WHERE o.idempotency_key = $1`,
);
/**
 * The order, its lines and its OrderCreated in one statement (one round trip, atomic on its
 * own). A concurrent request that stored the same idempotency key first makes the order insert
 * do nothing, and then the lines and the message too: `added` is 0.
 */
const PLACE = statement(
  "order.place",
  `WITH placed AS (
     INSERT INTO orders (id, customer_id, status, currency, total_minor, cancellation_reason,
       idempotency_key, request_hash, created_at, updated_at)
     VALUES ($1, $10, $2, $3, $4, NULL, $5, $6, $7, $7)
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING id),
   lines AS (
     INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price_minor)
     SELECT placed.id, l.line_no, l.product_id, l.quantity, l.unit_price_minor
     FROM placed, json_to_recordset($8::json)
       AS l(line_no int, product_id text, quantity int, unit_price_minor bigint)),
   messages AS (${insertOutboxRows("$9")} WHERE EXISTS (SELECT 1 FROM placed) RETURNING id)
   SELECT (SELECT count(*) FROM placed)::int AS added,
     ARRAY(SELECT id FROM messages) AS outbox_ids`,
);
/** Changed orders ($1; placing is `add`'s, so the insert half never inserts) and their events ($2). */
const FLUSH = flushStatement(
  "order.flush",
  [
    `INSERT INTO orders (id, status, currency, total_minor, cancellation_reason, created_at,
     updated_at)
   SELECT id, status, currency, total_minor, cancellation_reason, created_at, updated_at
   FROM json_to_recordset($1::json) AS o(id uuid, status text, currency text, total_minor bigint,
     cancellation_reason text, created_at timestamptz, updated_at timestamptz)
   ON CONFLICT (id) DO UPDATE
   SET status = EXCLUDED.status, cancellation_reason = EXCLUDED.cancellation_reason,
     updated_at = EXCLUDED.updated_at`,
  ],
  insertOutboxRows("$2"),
);

/**
 * The order context's unit of work. `add` writes at once, because its answer (was the
 * idempotency key free?) decides the HTTP response; confirmations and cancellations are
 * buffered and written for the whole batch at flush, with their outbox messages.
 */
export class OrderUnitOfWork extends AggregateUnitOfWork<Order> {
  /** The repository a use case sees while handling the message or request `causationId`. */
  orders(causationId: string): OrderRepository {
    return {
      findById: (orderId) => this.find(orderId),
      findByIdempotencyKey: async (key) => {
        const [row] = await this.sql.query<OrderRow>(BY_IDEMPOTENCY_KEY, [key]);
        return row ? { order: toDomain(row), requestHash: row.request_hash ?? "" } : null;
      },
      add: (order, idempotency) => this.place(order, causationId, idempotency),
      save: async (order) => {
        this.markDirty(order.id, order);
        this.queue(order.pullMessages().map((event) => toOutboxMessage(event, causationId)));
      },
    };
  }

  private async place(
    order: Order,
    causationId: string,
    idempotency?: IdempotencyRecord,
  ): Promise<Insertion> {
    const messages = order.pullMessages().map((event) => toOutboxMessage(event, causationId));
    const lines = order.items.map((item, index) => ({
      line_no: index + 1,
      product_id: item.productId,
      quantity: item.quantity.value,
      unit_price_minor: item.unitPrice.minor,
    }));
    const [result] = await this.sql.query<{ added: number; outbox_ids: number[] }>(PLACE, [
      order.id,
      order.status,
      order.currency,
      order.total.minor,
      idempotency?.key ?? null,
      idempotency?.requestHash ?? null,
      order.createdAt,
      JSON.stringify(lines),
      JSON.stringify(outboxRows(messages)),
      order.customerId,
    ]);
    if (result?.added !== 1) return "exists";
    this.markStored(order.id, order);
    this.wrote(result.outbox_ids);
    return "added";
  }

  protected async load(orderIds: readonly string[]): Promise<Map<string, Order>> {
    const rows = await this.sql.query<OrderRow>(LOAD, [orderIds]);
    return new Map(rows.map((row) => [row.id, toDomain(row)]));
  }

  protected write(orders: Order[], outbox: readonly object[]): Promise<number[]> {
    const rows = orders.map((order) => ({
      id: order.id,
      status: order.status,
      currency: order.currency,
      total_minor: order.total.minor,
      cancellation_reason: order.cancellationReason,
      created_at: order.createdAt,
      updated_at: order.updatedAt,
    }));
    return this.flushWith(FLUSH, [rows, outbox]);
  }
}

function toDomain(row: OrderRow): Order {
  return Order.restore({
    id: row.id,
    customerId: row.customer_id,
    items: (row.items ?? []).map((line, index) => {
      const owner = `order line ${row.id}#${index + 1}`;
      const item = OrderItem.create({
        productId: line.product_id,
        quantity: line.quantity,
        unitPrice: storedMoney(line.unit_price_minor, row.currency, owner),
      });
      if (!item.ok) throw new Error(`stored ${owner} is invalid: ${item.error.message}`);
      return item.value;
    }),
    currency: row.currency,
    status: row.status as OrderStatus,
    cancellationReason: row.cancellation_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}
