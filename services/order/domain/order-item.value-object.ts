import type { DomainError } from "../../shared/domain/domain-error";
import type { Money } from "../../shared/domain/money.value-object";
import { err, ok, type Result } from "../../shared/domain/result";
import { invalidPrice, invalidProduct } from "./order.errors";
import { Quantity } from "./quantity.value-object";

/**
 * The most one unit may cost (10,000,000.00). With at most 10,000 units a line and 100 lines an
 * order, a total stays far below 2^53 minor units, so every amount is computed exactly.
 */
export const MAX_UNIT_PRICE = 10_000_000;

/** One line of an order: a product, how many, and the unit price agreed at order time. */
export class OrderItem {
  private constructor(
    readonly productId: string,
    readonly quantity: Quantity,
    readonly unitPrice: Money,
  ) {}

  static create(props: {
    productId: string;
    quantity: number;
    unitPrice: Money;
  }): Result<OrderItem, DomainError> {
    if (props.productId.trim() === "") {
      return err(invalidProduct());
    }
    const quantity = Quantity.create(props.quantity);
    if (!quantity.ok) return quantity;
    if (props.unitPrice.minor === 0) {
      return err(invalidPrice("price must be greater than zero"));
    }
    if (props.unitPrice.minor > MAX_UNIT_PRICE * 100) {
      return err(invalidPrice(`price must be at most ${MAX_UNIT_PRICE}.00`));
    }
    return ok(new OrderItem(props.productId, quantity.value, props.unitPrice));
  }

  lineTotal(): Money {
    return this.unitPrice.times(this.quantity.value);
  }
}
