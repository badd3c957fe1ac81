import { AggregateRoot } from "../../shared/domain/aggregate-root";
import type { DomainError } from "../../shared/domain/domain-error";
import { Money } from "../../shared/domain/money.value-object";
import { err, ok, type Result } from "../../shared/domain/result";
import { illegalOrderTransition, invalidOrder, orderAlreadyEnded } from "./order.errors";
import type { OrderEvent } from "./order.events";
import type { OrderItem } from "./order-item.value-object";
import { OrderStatus } from "./order-status";
import type { Outcome } from "../../shared/domain/outcome";

export const MAX_ITEMS_PER_ORDER = 100;

export interface OrderProps {
  id: string;
  /** The customer who placed it (the token's subject); null for orders from before owners. */
  customerId: string | null;
  items: readonly OrderItem[];
  currency: string;
  status: OrderStatus;
  cancellationReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * An order: its items, the total they add up to, and where it is in its life:
 * PENDING → CONFIRMED | CANCELLED (with a reason). A command that finds the order already ended
 * changes nothing and answers with how it ended (the event again): a saga that asks twice, or
 * asks to confirm an order that was cancelled meanwhile, learns the truth instead of waiting.
 * Cancelling a confirmed order is refused outright: no saga asks that. A customer may cancel only
 * an order still pending; once it has ended, whichever way, that is a conflict.
 */
export class Order extends AggregateRoot<OrderEvent> {
  private constructor(private props: OrderProps) {
    super();
  }

  static place(input: {
    id: string;
    customerId: string;
    items: readonly OrderItem[];
    currency: string;
    now: Date;
  }): Result<Order, DomainError> {
    if (input.items.length === 0) {
      return err(
        invalidOrder("an order needs at least one item", {
          items: "must contain at least one item",
        }),
      );
    }
    if (input.items.length > MAX_ITEMS_PER_ORDER) {
      return err(
        invalidOrder(`an order has at most ${MAX_ITEMS_PER_ORDER} items`, {
          items: `must contain at most ${MAX_ITEMS_PER_ORDER} items`,
        }),
      );
    }
    const wrongCurrency = input.items.findIndex(
      (item) => item.unitPrice.currency !== input.currency,
    );
    if (wrongCurrency >= 0) {
      return err(
        invalidOrder(`prices must be in ${input.currency}`, {
          [`items[${wrongCurrency}].price`]: `must be in ${input.currency}`,
        }),
      );
    }
    const order = new Order({
      id: input.id,
      customerId: input.customerId,
      items: [...input.items],
      currency: input.currency,
      status: OrderStatus.Pending,
      cancellationReason: null,
      createdAt: input.now,
      updatedAt: input.now,
    });
    order.record({
      type: "OrderPlaced",
      orderId: input.id,
      customerId: input.customerId,
      items: order.items,
      total: order.total,
      at: input.now,
    });
    return ok(order);
  }

  /** Rebuilds an order from storage: no rules re-run, no events raised. */
  static restore(props: OrderProps): Order {
    return new Order({ ...props, items: [...props.items] });
  }

  get id(): string {
    return this.props.id;
  }
  get customerId(): string | null {
    return this.props.customerId;
  }
  get status(): OrderStatus {
    return this.props.status;
  }
  get items(): readonly OrderItem[] {
    return this.props.items;
  }
  get currency(): string {
    return this.props.currency;
  }
  get cancellationReason(): string | null {
    return this.props.cancellationReason;
  }
  get createdAt(): Date {
    return this.props.createdAt;
  }
  get updatedAt(): Date {
    return this.props.updatedAt;
  }

  /** Computed by the domain from its lines; never taken from the client. */
  get total(): Money {
    return this.props.items.reduce(
      (sum, item) => sum.add(item.lineTotal()),
      Money.zero(this.props.currency),
    );
  }

  confirm(now: Date): Result<Outcome, DomainError> {
    if (this.props.status !== OrderStatus.Pending) {
      this.announceEnd(now);
      return ok("unchanged");
    }
    this.props = { ...this.props, status: OrderStatus.Confirmed, updatedAt: now };
    this.record({ type: "OrderConfirmed", orderId: this.id, at: now });
    return ok("applied");
  }

  cancel(reason: string, now: Date): Result<Outcome, DomainError> {
    if (this.props.status === OrderStatus.Cancelled) {
      this.announceEnd(now);
      return ok("unchanged");
    }
    if (this.props.status !== OrderStatus.Pending) {
      return err(illegalOrderTransition(this.id, this.props.status, OrderStatus.Cancelled));
    }
    this.props = {
      ...this.props,
      status: OrderStatus.Cancelled,
      cancellationReason: reason,
      updatedAt: now,
    };
    this.record({ type: "OrderCancelled", orderId: this.id, reason, at: now });
    return ok("applied");
  }

  /** The customer changed their mind: the saga, seeing OrderCancelled, undoes the payment. */
  cancelAtCustomerRequest(reason: string, now: Date): Result<Outcome, DomainError> {
    if (this.props.status !== OrderStatus.Pending)
      return err(orderAlreadyEnded(this.id, this.props.status));
    return this.cancel(reason, now);
  }

  /** The event that says how the order ended, again. */
  private announceEnd(now: Date): void {
    if (this.props.status === OrderStatus.Confirmed)
      this.record({ type: "OrderConfirmed", orderId: this.id, at: now });
    else
      this.record({
        type: "OrderCancelled",
        orderId: this.id,
        reason: this.props.cancellationReason ?? "cancelled",
        at: now,
      });
  }
}
