import { DomainError } from "../../../shared/domain/domain-error";
import { Money } from "../../../shared/domain/money.value-object";
import { err, ok, type Result } from "../../../shared/domain/result";
import { Payment } from "../../domain/payment.aggregate";
import type { PaymentProvider } from "../../domain/payment-provider.port";
import type { PaymentRepository } from "../../domain/payment.repository.port";
import { paymentIdFor } from "./payment-id";

export interface ProcessPaymentCommand {
  orderId: string;
  amount: { amountMinor: number; currency: string };
}

export type ProcessPaymentOutcome = "completed" | "failed" | "duplicate";

/**
 * InitiatePayment from the saga: find or create the order's payment and settle it through the
 * provider. A duplicate command finds the settled payment and does nothing: one order, one
 * payment, one result event.
 */
export class ProcessPaymentHandler {
  constructor(
    private readonly provider: PaymentProvider,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async execute(
    command: ProcessPaymentCommand,
    payments: PaymentRepository,
  ): Promise<Result<ProcessPaymentOutcome, DomainError>> {
    const amount = Money.create(command.amount.amountMinor, command.amount.currency);
    if (!amount.ok) return amount;

    let payment = await payments.findByOrderId(command.orderId);
    if (!payment) {
      payment = Payment.initiate({
        id: paymentIdFor(command.orderId),
        orderId: command.orderId,
        amount: amount.value,
        now: this.now(),
      });
      // Lost the race to a concurrent copy of this command: that one settles the payment.
      if ((await payments.add(payment)) === "exists") return ok("duplicate");
    }
    if (payment.isSettled) return ok("duplicate");
    if (!payment.amount.equals(amount.value)) {
      return err(
        new DomainError(
          "PAYMENT_AMOUNT_MISMATCH",
          `payment ${payment.id} is for ${payment.amount}, not ${amount.value}`,
        ),
      );
    }

    const charge = await this.provider.charge({
      paymentId: payment.id,
      orderId: payment.orderId,
      amount: payment.amount,
    });
    const settled = charge.approved
      ? payment.complete(charge.reference, this.now())
      : payment.fail(charge.reason, this.now());
    if (!settled.ok) return settled;
    await payments.save(payment);
    return ok(charge.approved ? "completed" : "failed");
  }
}
