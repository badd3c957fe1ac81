import { AggregateRoot } from "../../shared/domain/aggregate-root";
import type { DomainError } from "../../shared/domain/domain-error";
import type { Money } from "../../shared/domain/money.value-object";
import { err, ok, type Result } from "../../shared/domain/result";
import type { ChargeOutcome } from "./payment-provider.port";
import { paymentAmountMismatch, paymentNotBeingCancelled } from "./payment.errors";
import type { PaymentEvent } from "./payment.events";
import { AWAITING_PROVIDER, PaymentStatus } from "./payment-status";
import type { Outcome } from "../../shared/domain/outcome";

export interface PaymentProps {
  id: string;
  orderId: string;
  amount: Money;
  status: PaymentStatus;
  providerReference: string | null;
  /** Why the provider declined it, or why it was cancelled. */
  failureReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * One payment per order. Deciding to charge and charging are two steps, so that no charge can
 * happen without a record of it (docs/adr/0011):
 *
 *   PENDING ──charge answered──▶ COMPLETED | FAILED
 *   PENDING ──cancel──▶ CANCELLING ──provider released──▶ CANCELLED (or REFUNDED, if the charge
 *                                                          had gone through meanwhile)
 *   COMPLETED ──cancel──▶ REFUNDING ──provider released──▶ REFUNDED
 *
 * A cancel that arrives before the payment exists records it CANCELLED at once: a later
 * InitiatePayment then finds it and charges nothing.
 */
export class Payment extends AggregateRoot<PaymentEvent> {
  private constructor(private props: PaymentProps) {
    super();
  }

  static initiate(input: { id: string; orderId: string; amount: Money; now: Date }): Payment {
    return new Payment({
      ...input,
      status: PaymentStatus.Pending,
      providerReference: null,
      failureReason: null,
      createdAt: input.now,
      updatedAt: input.now,
    });
  }

  static cancelledBeforeInitiation(input: {
    id: string;
    orderId: string;
    amount: Money;
    reason: string;
    now: Date;
  }): Payment {
    const payment = new Payment({
      id: input.id,
      orderId: input.orderId,
      amount: input.amount,
      status: PaymentStatus.Cancelled,
      providerReference: null,
      failureReason: input.reason,
      createdAt: input.now,
      updatedAt: input.now,
    });
    payment.announce("PaymentCancelled", input.now);
    return payment;
  }

  static restore(props: PaymentProps): Payment {
    return new Payment({ ...props });
  }

  get id(): string {
    return this.props.id;
  }
  get orderId(): string {
    return this.props.orderId;
  }
  get amount(): Money {
    return this.props.amount;
  }
  get status(): PaymentStatus {
    return this.props.status;
  }
  get providerReference(): string | null {
    return this.props.providerReference;
  }
  get failureReason(): string | null {
    return this.props.failureReason;
  }
  get createdAt(): Date {
    return this.props.createdAt;
  }
  get updatedAt(): Date {
    return this.props.updatedAt;
  }
  /** The provider has to be asked something before this payment can move on. */
  get awaitsProvider(): boolean {
    return AWAITING_PROVIDER.includes(this.props.status);
  }

  /**
   * InitiatePayment again (a repeat, or one that arrives after a cancel recorded the payment): it
   * changes nothing, unless it asks for another amount, which is a bug upstream.
   */
  initiateAgain(amount: Money): Result<Outcome, DomainError> {
    if (!this.amount.equals(amount))
      return err(paymentAmountMismatch(this.id, this.amount, amount));
    return ok("unchanged");
  }

  /**
   * The provider answered the charge. Only a PENDING payment takes the answer: one being
   * cancelled has asked the provider to release the key, and that answer decides its end.
   */
  recordCharge(outcome: ChargeOutcome, now: Date): Result<Outcome, DomainError> {
    if (this.props.status !== PaymentStatus.Pending) return ok("unchanged");
    if (outcome.approved) {
      this.move(PaymentStatus.Completed, now, { providerReference: outcome.reference });
      this.announce("PaymentCompleted", now);
    } else {
      this.move(PaymentStatus.Failed, now, { failureReason: outcome.reason });
      this.announce("PaymentFailed", now);
    }
    return ok("applied");
  }

  /**
   * The saga will not use this payment. Money not yet taken must never be; money taken is
   * given back. A repeat answers again with the outcome, so a saga that asks twice is told.
   */
  cancel(reason: string, now: Date): Result<Outcome, DomainError> {
    switch (this.props.status) {
      case PaymentStatus.Pending:
        this.move(PaymentStatus.Cancelling, now, { failureReason: reason });
        return ok("applied");
      case PaymentStatus.Completed:
        this.move(PaymentStatus.Refunding, now, { failureReason: reason });
        return ok("applied");
      case PaymentStatus.Failed:
      case PaymentStatus.Cancelled:
        // Declined or cancelled: nothing was taken.
        this.announce("PaymentCancelled", now);
        return ok("unchanged");
      case PaymentStatus.Refunded:
        this.announce("PaymentRefunded", now);
        return ok("unchanged");
      case PaymentStatus.Cancelling:
      case PaymentStatus.Refunding:
        return ok("unchanged");
    }
  }

  /** The provider has released the key; `refunded` says whether money had been taken. */
  recordRelease(refunded: boolean, now: Date): Result<Outcome, DomainError> {
    // Released by an earlier settler whose answer was recorded already: nothing left to do.
    if (!this.awaitsProvider) return ok("unchanged");
    const { status } = this.props;
    if (status !== PaymentStatus.Cancelling && status !== PaymentStatus.Refunding) {
      return err(paymentNotBeingCancelled(this.id, status));
    }
    this.move(refunded ? PaymentStatus.Refunded : PaymentStatus.Cancelled, now, {});
    this.announce(refunded ? "PaymentRefunded" : "PaymentCancelled", now);
    return ok("applied");
  }

  private move(status: PaymentStatus, now: Date, changes: Partial<PaymentProps>): void {
    this.props = { ...this.props, ...changes, status, updatedAt: now };
  }

  private announce(type: PaymentEvent["type"], at: Date): void {
    const fact = { paymentId: this.id, orderId: this.orderId, amount: this.amount, at };
    if (type === "PaymentCompleted") this.record({ type, ...fact });
    else this.record({ type, ...fact, reason: this.props.failureReason ?? "cancelled" });
  }
}
