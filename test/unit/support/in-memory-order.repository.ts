import { Order, type OrderProps } from "../../../services/order/domain/order.aggregate";
import type { OrderEvent } from "../../../services/order/domain/order.events";
import type {
  IdempotencyRecord,
  OrderRepository,
} from "../../../services/order/domain/order.repository.port";
import type { Insertion } from "../../../services/shared/domain/outcome";

interface Row {
  props: OrderProps;
  idempotency?: IdempotencyRecord;
}

/**
 * OrderRepository in memory, faithful to the port: every read restores a fresh aggregate (as a
 * database would), `add`/`save` move the pulled events to `outbox`, and an idempotency key is
 * unique: the second `add` with a taken key stores nothing and answers "exists".
 */
export class InMemoryOrderRepository implements OrderRepository {
  private readonly rows = new Map<string, Row>();
  readonly outbox: OrderEvent[] = [];
  readonly calls = { add: 0, save: 0 };
  /** Runs at the start of `add`: lets a test slip a concurrent writer in after the lookup. */
  beforeAdd: (() => Promise<void>) | null = null;

  async findById(orderId: string): Promise<Order | null> {
    const row = this.rows.get(orderId);
    return row ? Order.restore(row.props) : null;
  }

  async findByIdempotencyKey(key: string): Promise<{ order: Order; requestHash: string } | null> {
    const row = [...this.rows.values()].find((candidate) => candidate.idempotency?.key === key);
    return row
      ? { order: Order.restore(row.props), requestHash: row.idempotency!.requestHash }
      : null;
  }

  async add(order: Order, idempotency?: IdempotencyRecord): Promise<Insertion> {
    this.calls.add += 1;
    await this.beforeAdd?.();
    if (this.rows.has(order.id)) throw new Error(`duplicate primary key ${order.id}`);
    if (
      idempotency &&
      [...this.rows.values()].some((row) => row.idempotency?.key === idempotency.key)
    ) {
      return "exists";
    }
    this.rows.set(order.id, { props: snapshot(order), idempotency });
    this.outbox.push(...order.pullMessages());
    return "added";
  }

  async save(order: Order): Promise<void> {
    this.calls.save += 1;
    const row = this.rows.get(order.id);
    if (!row) throw new Error(`order ${order.id} was never added`);
    this.rows.set(order.id, { ...row, props: snapshot(order) });
    this.outbox.push(...order.pullMessages());
  }

  /** Stores an order as if an earlier transaction had committed it. */
  seed(order: Order, idempotency?: IdempotencyRecord): void {
    this.rows.set(order.id, { props: snapshot(order), idempotency });
    order.pullMessages();
  }

  get size(): number {
    return this.rows.size;
  }
}

function snapshot(order: Order): OrderProps {
  return {
    id: order.id,
    customerId: order.customerId,
    items: [...order.items],
    currency: order.currency,
    status: order.status,
    cancellationReason: order.cancellationReason,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}
