import type { DomainError } from "../../../shared/domain/domain-error";
import { Money } from "../../../shared/domain/money.value-object";
import type { Result } from "../../../shared/domain/result";
import { OrderSaga } from "../../domain/saga.aggregate";
import type { OrderSagaRepository } from "../../domain/saga.repository.port";
import type { Outcome } from "../../../shared/domain/outcome";

export interface StartSagaCommand {
  orderId: string;
  total: { amountMinor: number; currency: string };
  /** The OrderCreated message id. */
  causationId: string;
}

/**
 * OrderCreated: find or create the order's saga (STARTED), then in the same transaction queue
 * InitiatePayment and move to PAYMENT_INITIATED. A repeat finds the saga past STARTED: no-op.
 */
export class StartSagaHandler {
  constructor(private readonly now: () => Date = () => new Date()) {}

  async execute(
    command: StartSagaCommand,
    sagas: OrderSagaRepository,
  ): Promise<Result<Outcome, DomainError>> {
    const amount = Money.create(command.total.amountMinor, command.total.currency);
    if (!amount.ok) return amount;
    const existing = await sagas.findByOrderId(command.orderId);
    const saga =
      existing ??
      OrderSaga.start({
        orderId: command.orderId,
        amount: amount.value,
        causationId: command.causationId,
        now: this.now(),
      });
    const outcome = saga.advance("OrderCreated", {}, command.causationId, this.now());
    if (!outcome.ok) return outcome;
    if (!existing) await sagas.add(saga);
    else if (outcome.value === "applied") await sagas.save(saga);
    return outcome;
  }
}
