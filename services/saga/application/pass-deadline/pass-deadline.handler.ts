import type { DomainError } from "../../../shared/domain/domain-error";
import type { Result } from "../../../shared/domain/result";
import type { StepOutcome } from "../../domain/order-saga.aggregate";
import type { OrderSagaRepository } from "../../domain/order-saga.repository.port";
import { advanceSaga } from "../advance-saga";

/**
 * A saga's deadline has passed (the sweeper found it): it gives up on the payment, or sends its
 * pending command again. `causationId` names the sweep.
 */
export class PassDeadlineHandler {
  constructor(private readonly now: () => Date = () => new Date()) {}

  execute(
    orderId: string,
    causationId: string,
    sagas: OrderSagaRepository,
  ): Promise<Result<StepOutcome, DomainError>> {
    return advanceSaga(sagas, orderId, (saga) => saga.onDeadline(causationId, this.now()));
  }
}
