import type { DomainError } from "../../../shared/domain/domain-error";
import type { Result } from "../../../shared/domain/result";
import type { StepOutcome } from "../../domain/order-saga.aggregate";
import type { OrderSagaRepository } from "../../domain/order-saga.repository.port";
import { advanceSaga } from "../advance-saga";

export type PaymentOutcome = { orderId: string; causationId: string } & (
  { completed: true } | { completed: false; reason: string }
);

/** PaymentCompleted / PaymentFailed: record the result and tell the order service what to do. */
export class RecordPaymentOutcomeHandler {
  constructor(private readonly now: () => Date = () => new Date()) {}

  execute(
    outcome: PaymentOutcome,
    sagas: OrderSagaRepository,
  ): Promise<Result<StepOutcome, DomainError>> {
    return advanceSaga(sagas, outcome.orderId, (saga) =>
      outcome.completed
        ? saga.markPaymentCompleted(outcome.causationId, this.now())
        : saga.markPaymentFailed(outcome.reason, outcome.causationId, this.now()),
    );
  }
}
