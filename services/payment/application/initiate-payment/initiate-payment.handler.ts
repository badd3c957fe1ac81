import type { DomainError } from "../../../shared/domain/domain-error";
import { Money } from "../../../shared/domain/money.value-object";
import { ok, type Result } from "../../../shared/domain/result";
import { Payment } from "../../domain/payment.aggregate";
import type { PaymentRepository } from "../../domain/payment.repository.port";
import { paymentIdFor } from "../payment-id";
import type { Outcome } from "../../../shared/domain/outcome";

export interface InitiatePaymentCommand {
  orderId: string;
  amount: { amountMinor: number; currency: string };
}

/**
 * InitiatePayment from the saga: record the decision to charge (a PENDING payment) and nothing
 * else. The provider is called after the commit, outside the transaction (PaymentSettler), so a
 * charge is never made without a committed record of it. A duplicate command, or one for a
 * payment already cancelled, finds the payment and does nothing.
 */
export class InitiatePaymentHandler {
  constructor(private readonly now: () => Date = () => new Date()) {}

  async execute(
    command: InitiatePaymentCommand,
    payments: PaymentRepository,
  ): Promise<Result<Outcome, DomainError>> {
    const amount = Money.create(command.amount.amountMinor, command.amount.currency);
    if (!amount.ok) return amount;

    const existing = await payments.findByOrderId(command.orderId);
    if (existing) return existing.initiateAgain(amount.value);
    const payment = Payment.initiate({
      id: paymentIdFor(command.orderId),
      orderId: command.orderId,
      amount: amount.value,
      now: this.now(),
    });
    return ok((await payments.add(payment)) === "added" ? "applied" : "unchanged");
  }
}
