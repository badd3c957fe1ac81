import type { DomainError } from "../../../shared/domain/domain-error";
import { err, type Result } from "../../../shared/domain/result";
import type { Payment } from "../../domain/payment.aggregate";
import type {
  ChargeOutcome,
  ChargeRequest,
  PaymentProvider,
} from "../../domain/payment-provider.port";
import { paymentNotFound } from "../../domain/payment.errors";
import type { PaymentRepository } from "../../domain/payment.repository.port";
import { PaymentStatus } from "../../domain/payment-status";
import type { Outcome } from "../../../shared/domain/outcome";

/** A payment the settler has claimed, as the claim saw it. */
export interface ClaimedPayment extends ChargeRequest {
  status: PaymentStatus;
  /** How many times a settler has claimed it, this time included. */
  attempt: number;
}

export type ProviderAnswer =
  { kind: "charge"; outcome: ChargeOutcome } | { kind: "release"; refunded: boolean };

/**
 * Asks the provider what the payment is waiting for; called outside any transaction. A payment
 * claimed before (a settler crashed or timed out after calling the provider and before recording
 * the answer) is first looked up by its key, so the answer already given is the one recorded.
 * Charging again would be safe too (the key is idempotent), but asking says what happened.
 */
export async function askProvider(
  provider: PaymentProvider,
  payment: ClaimedPayment,
): Promise<ProviderAnswer> {
  if (payment.status !== PaymentStatus.Pending) {
    return { kind: "release", refunded: (await provider.release(payment)).refunded };
  }
  if (payment.attempt > 1) {
    const known = await provider.status(payment.paymentId);
    if (known.state === "answered") return { kind: "charge", outcome: known };
    if (known.state === "released") {
      return { kind: "charge", outcome: { approved: false, reason: "released before charging" } };
    }
  }
  return { kind: "charge", outcome: await provider.charge(payment) };
}

/** Records the provider's answer on the payment (in the second transaction). */
export async function recordAnswer(
  payments: PaymentRepository,
  orderId: string,
  answer: ProviderAnswer,
  now: Date,
): Promise<Result<Outcome, DomainError>> {
  const payment = await payments.findByOrderId(orderId);
  if (!payment) return err(paymentNotFound(orderId));
  const outcome = apply(payment, answer, now);
  if (outcome.ok && outcome.value === "applied") await payments.save(payment);
  return outcome;
}

function apply(payment: Payment, answer: ProviderAnswer, now: Date): Result<Outcome, DomainError> {
  if (answer.kind === "charge") return payment.recordCharge(answer.outcome, now);
  return payment.recordRelease(answer.refunded, now);
}
