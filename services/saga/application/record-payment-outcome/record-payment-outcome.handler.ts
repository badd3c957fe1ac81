import type { DomainError } from "../../../shared/domain/domain-error";
import type { Result } from "../../../shared/domain/result";
import type { OrderSaga, StepOutcome } from "../../domain/order-saga.aggregate";
import type { OrderSagaRepository } from "../../domain/order-saga.repository.port";
import { advanceSaga } from "../advance-saga";

/** What the payment service reported: the charge's outcome, or the end of a cancellation. */
export type PaymentOutcome = { orderId: string; causationId: string } & (
  | { result: "completed" }
  | { result: "failed"; reason: string }
  | { result: "released"; refunded: boolean }
);

/**
 * PaymentCompleted / PaymentFailed: record the result and tell the order service what to do.
 * PaymentCancelled / PaymentRefunded: the compensation is done.
 */
export class RecordPaymentOutcomeHandler {
  constructor(private readonly now: () => Date = () => new Date()) {}

  execute(
    outcome: PaymentOutcome,
    sagas: OrderSagaRepository,
  ): Promise<Result<StepOutcome, DomainError>> {
    return advanceSaga(sagas, outcome.orderId, (saga) => this.apply(saga, outcome));
  }

  private apply(saga: OrderSaga, outcome: PaymentOutcome): Result<StepOutcome, DomainError> {
    const { causationId } = outcome;
    switch (outcome.result) {
      case "completed":
        return saga.markPaymentCompleted(causationId, this.now());
      case "failed":
        return saga.markPaymentFailed(outcome.reason, causationId, this.now());
      case "released":
        return saga.markPaymentReleased(outcome.refunded, causationId, this.now());
    }
  }
}
