import { createHash, randomUUID } from "node:crypto";
import type { DomainError } from "../../../shared/domain/domain-error";
import { Money, MoneyErrorCode } from "../../../shared/domain/money.value-object";
import { err, ok, type Result } from "../../../shared/domain/result";
import { Order } from "../../domain/order.aggregate";
import { idempotencyKeyReused, invalidOrder, OrderErrorCode } from "../../domain/order.errors";
import { OrderItem } from "../../domain/order-item.value-object";
import type { OrderRepository } from "../../domain/order.repository.port";
import type { PlaceOrderCommand, PlaceOrderResult } from "./place-order.command";

/** Which field of an item a domain rule speaks about, for the `errors` map of a 400. */
const FIELD_OF_ERROR: Record<string, string> = {
  [OrderErrorCode.InvalidProduct]: "productId",
  [OrderErrorCode.InvalidQuantity]: "quantity",
  [OrderErrorCode.InvalidPrice]: "price",
  [MoneyErrorCode.InvalidMoney]: "price",
};

export class PlaceOrderHandler {
  constructor(
    private readonly options: { currency: string; now?: () => Date; newId?: () => string },
  ) {}

  async execute(
    command: PlaceOrderCommand,
    orders: OrderRepository,
  ): Promise<Result<PlaceOrderResult, DomainError>> {
    const items = this.buildItems(command);
    if (!items.ok) return items;
    // Only a request with a key is ever compared with another one.
    const requestHash = command.idempotencyKey === undefined ? "" : fingerprint(items.value);

    // No lookup first: the insert itself finds a key already taken (one round trip for a new
    // order, which is nearly every request, since the gateway gives each request a key).
    const placed = Order.place({
      id: (this.options.newId ?? randomUUID)(),
      customerId: command.customerId,
      items: items.value,
      currency: this.options.currency,
      now: (this.options.now ?? (() => new Date()))(),
    });
    if (!placed.ok) return placed;

    const idempotency =
      command.idempotencyKey === undefined
        ? undefined
        : { key: command.idempotencyKey, requestHash };
    if ((await orders.add(placed.value, idempotency)) === "exists") {
      // An earlier or concurrent request with the same key placed the order: answer as its retry.
      const winner = await this.replay(command.idempotencyKey!, requestHash, orders);
      if (winner) return winner;
      throw new Error(
        `idempotency key ${command.idempotencyKey} is taken but its order cannot be read`,
      );
    }
    return ok({ orderId: placed.value.id, status: placed.value.status, replayed: false });
  }

  private buildItems(command: PlaceOrderCommand): Result<OrderItem[], DomainError> {
    const errors: Record<string, string> = {};
    const items: OrderItem[] = [];
    command.items.forEach((line, index) => {
      const unitPrice = Money.fromMajor(line.price, this.options.currency);
      const item = unitPrice.ok
        ? OrderItem.create({ ...line, unitPrice: unitPrice.value })
        : unitPrice;
      if (item.ok) items.push(item.value);
      else
        errors[`items[${index}].${FIELD_OF_ERROR[item.error.code] ?? "price"}`] =
          item.error.message;
    });
    if (Object.keys(errors).length > 0) {
      return err(invalidOrder("Validation failed", errors));
    }
    return ok(items);
  }

  private async replay(
    key: string,
    requestHash: string,
    orders: OrderRepository,
  ): Promise<Result<PlaceOrderResult, DomainError> | null> {
    const earlier = await orders.findByIdempotencyKey(key);
    if (!earlier) return null;
    if (earlier.requestHash !== requestHash) {
      return err(idempotencyKeyReused());
    }
    return ok({ orderId: earlier.order.id, status: "PENDING", replayed: true });
  }
}

/** Same items, same fingerprint: 499.5 and 499.50 are the same price. */
function fingerprint(items: readonly OrderItem[]): string {
  const canonical = items.map((item) => [
    item.productId,
    item.quantity.value,
    item.unitPrice.minor,
    item.unitPrice.currency,
  ]);
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex");
}
