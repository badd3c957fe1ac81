import type { DomainError } from "../../../shared/domain/domain-error";
import type { Result } from "../../../shared/domain/result";
import type { StepOutcome } from "../../domain/order-saga.aggregate";
import type { OrderSagaRepository } from "../../domain/order-saga.repository.port";
import { advanceSaga } from "../advance-saga";

export type OrderOutcome = { orderId: string; causationId: string } & (
  { confirmed: true } | { confirmed: false; reason: string }
);

/** OrderConfirmed / OrderCancelled: the order service has acted; the saga ends. */
export class RecordOrderOutcomeHandler {
  constructor(private readonly now: () => Date = () => new Date()) {}

  execute(
    outcome: OrderOutcome,
    sagas: OrderSagaRepository,
  ): Promise<Result<StepOutcome, DomainError>> {
    return advanceSaga(sagas, outcome.orderId, (saga) =>
      outcome.confirmed
        ? saga.markOrderConfirmed(outcome.causationId, this.now())
        : saga.markOrderCancelled(outcome.reason, outcome.causationId, this.now()),
    );
  }
}
