import type { DomainError } from "../../../shared/domain/domain-error";
import { err, type Result } from "../../../shared/domain/result";
import type { Outcome } from "../../../shared/domain/outcome";
import type { SagaTrigger } from "../../domain/saga.definition";
import type { OrderSagaRepository } from "../../domain/saga.repository.port";
import { sagaNotFound } from "../../domain/saga.errors";

export interface AdvanceSagaCommand {
  orderId: string;
  /** The message that arrived (its contract's type), or the saga's deadline passing. */
  trigger: SagaTrigger;
  /** The reason a failure or cancellation carries. */
  reason?: string;
  /** The message id, or the sweep's id. */
  causationId: string;
}

/**
 * A reply from the payment or order service, or a deadline: loads the order's saga, moves it as
 * the definition says, and stores it if the step changed anything.
 */
export class AdvanceSagaHandler {
  constructor(private readonly now: () => Date = () => new Date()) {}

  async execute(
    command: AdvanceSagaCommand,
    sagas: OrderSagaRepository,
  ): Promise<Result<Outcome, DomainError>> {
    const saga = await sagas.findByOrderId(command.orderId);
    if (!saga) return err(sagaNotFound(command.orderId));
    const { trigger, reason, causationId } = command;
    const outcome = saga.advance(trigger, { reason }, causationId, this.now());
    if (outcome.ok && outcome.value === "applied") await sagas.save(saga);
    return outcome;
  }
}
