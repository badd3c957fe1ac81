import type { DomainError } from "../../../shared/domain/domain-error";
import { err, ok, type Result } from "../../../shared/domain/result";
import type { Outcome } from "../../../shared/domain/outcome";
import { canSee, type Caller } from "../../../shared/runtime/caller";
import { orderNotFound } from "../../domain/order.errors";
import type { OrderRepository } from "../../domain/order.repository.port";

export interface CancelOrderCommand {
  orderId: string;
  reason: string;
  /**
   * Who asks: the saga (RejectOrder: the payment failed or timed out; a repeat answers again),
   * or a customer through the API (only their own order, only while it is pending).
   */
  requestedBy: "saga" | Caller;
}

export class CancelOrderHandler {
  constructor(private readonly now: () => Date = () => new Date()) {}

  async execute(
    command: CancelOrderCommand,
    orders: OrderRepository,
  ): Promise<Result<Outcome, DomainError>> {
    const { requestedBy } = command;
    const order = await orders.findById(command.orderId);
    // Another customer's order is not found, not forbidden: ids cannot be probed.
    if (!order || (requestedBy !== "saga" && !canSee(requestedBy, order.customerId)))
      return err(orderNotFound(command.orderId));
    const outcome =
      requestedBy === "saga"
        ? order.cancel(command.reason, this.now())
        : order.cancelAtCustomerRequest(command.reason, this.now());
    if (!outcome.ok) return outcome;
    // Saved whatever the outcome: a repeat writes the answer (the event) again.
    await orders.save(order);
    return ok(outcome.value);
  }
}
