import { Order } from "../../../services/order/domain/order.aggregate";
import { OrderItem } from "../../../services/order/domain/order-item.value-object";
import type { Money } from "../../../services/shared/domain/money.value-object";
import { inr } from "./money";
import { unwrap } from "./result";

export const PLACED_AT = new Date("2025-01-01T10:00:00.000Z");
/** The customer every test order belongs to, unless a test says otherwise. */
export const CUSTOMER = "customer-a";
export const LATER = new Date("2025-01-01T10:05:00.000Z");

export const item = (productId: string, quantity: number, unitPrice: Money = inr(49950)) =>
  unwrap(OrderItem.create({ productId, quantity, unitPrice }));

/** A PENDING order of 2 × 499.50 INR, its OrderPlaced event already pulled. */
export function pendingOrder(id = "order-1", customerId = CUSTOMER): Order {
  const order = unwrap(
    Order.place({ id, customerId, items: [item("p-1", 2)], currency: "INR", now: PLACED_AT }),
  );
  order.pullMessages();
  return order;
}
