import type { DomainError } from "../../../shared/domain/domain-error";
import { err, ok, type Result } from "../../../shared/domain/result";
import type { Outcome } from "../../../shared/domain/outcome";
import { orderNotFound } from "../../domain/order.errors";
import type { OrderRepository } from "../../domain/order.repository.port";

export interface CancelOrderCommand {
  orderId: string;
  reason: string;
}

/** RejectOrder from the saga: the payment failed or timed out. A repeat answers again. */
export class CancelOrderHandler {
  constructor(private readonly now: () => Date = () => new Date()) {}

  async execute(
    command: CancelOrderCommand,
    orders: OrderRepository,
  ): Promise<Result<Outcome, DomainError>> {
    const order = await orders.findById(command.orderId);
    if (!order) return err(orderNotFound(command.orderId));
    const outcome = order.cancel(command.reason, this.now());
    if (!outcome.ok) return outcome;
    // Saved whatever the outcome: a repeat writes the answer (the event) again.
    await orders.save(order);
    return ok(outcome.value);
  }
}
