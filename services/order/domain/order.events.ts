import type { Money } from "../../shared/domain/money.value-object";
import type { OrderItem } from "./order-item.value-object";

/** What happened to an order, as the domain sees it. Mapped to wire contracts in infrastructure. */
export type OrderEvent =
  | {
      type: "OrderPlaced";
      orderId: string;
      customerId: string;
      items: readonly OrderItem[];
      total: Money;
      at: Date;
    }
  | { type: "OrderConfirmed"; orderId: string; at: Date }
  | { type: "OrderCancelled"; orderId: string; reason: string; at: Date };
