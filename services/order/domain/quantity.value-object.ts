import { DomainError } from "../../shared/domain/domain-error";
import { err, ok, type Result } from "../../shared/domain/result";

export const MAX_QUANTITY_PER_LINE = 10_000;

/** How many units of one product: a whole number from 1 to MAX_QUANTITY_PER_LINE. */
export class Quantity {
  private constructor(readonly value: number) {}

  static create(value: number): Result<Quantity, DomainError> {
    if (!Number.isInteger(value) || value < 1 || value > MAX_QUANTITY_PER_LINE) {
      return err(
        new DomainError(
          "INVALID_QUANTITY",
          `quantity must be a whole number from 1 to ${MAX_QUANTITY_PER_LINE}`,
        ),
      );
    }
    return ok(new Quantity(value));
  }
}
