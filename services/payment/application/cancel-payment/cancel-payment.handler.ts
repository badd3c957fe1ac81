import type { DomainError } from "../../../shared/domain/domain-error";
import { Money } from "../../../shared/domain/money.value-object";
import { ok, type Result } from "../../../shared/domain/result";
import { Payment } from "../../domain/payment.aggregate";
import type { PaymentRepository } from "../../domain/payment.repository.port";
import { paymentIdFor } from "../payment-id";
import type { Outcome } from "../../../shared/domain/outcome";

export interface CancelPaymentCommand {
  orderId: string;
  amount: { amountMinor: number; currency: string };
  reason: string;
}

/**
 * CancelPayment from the saga: the order will not be fulfilled. A payment still to be charged
 * or already charged is marked for release (the provider is asked after the commit); one that
 * does not exist yet is recorded CANCELLED, so its InitiatePayment, if it ever comes, charges
 * nothing. A payment already released answers again with its outcome.
 */
export class CancelPaymentHandler {
  constructor(private readonly now: () => Date = () => new Date()) {}

  async execute(
    command: CancelPaymentCommand,
    payments: PaymentRepository,
  ): Promise<Result<Outcome, DomainError>> {
    const amount = Money.create(command.amount.amountMinor, command.amount.currency);
    if (!amount.ok) return amount;
    const payment = await payments.findByOrderId(command.orderId);
    if (!payment) {
      const cancelled = Payment.cancelledBeforeInitiation({
        id: paymentIdFor(command.orderId),
        orderId: command.orderId,
        amount: amount.value,
        reason: command.reason,
        now: this.now(),
      });
      await payments.add(cancelled);
      return ok("applied");
    }
    const outcome = payment.cancel(command.reason, this.now());
    if (outcome.ok) await payments.save(payment);
    return outcome;
  }
}
