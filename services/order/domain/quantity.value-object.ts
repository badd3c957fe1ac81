import type { DomainError } from "../../shared/domain/domain-error";
import { err, ok, type Result } from "../../shared/domain/result";
import { invalidQuantity } from "./order.errors";

export const MAX_QUANTITY_PER_LINE = 10_000;

/** How many units of one product: a whole number from 1 to MAX_QUANTITY_PER_LINE. */
export class Quantity {
  private constructor(readonly value: number) {}

  static create(value: number): Result<Quantity, DomainError> {
    if (!Number.isInteger(value) || value < 1 || value > MAX_QUANTITY_PER_LINE) {
      return err(invalidQuantity(MAX_QUANTITY_PER_LINE));
    }
    return ok(new Quantity(value));
  }
}
