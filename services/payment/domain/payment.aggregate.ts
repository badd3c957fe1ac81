import { DomainError } from "../../shared/domain/domain-error";
import type { Money } from "../../shared/domain/money.value-object";
import { err, ok, type Result } from "../../shared/domain/result";
import type { PaymentEvent } from "./payment.events";
import { PaymentStatus } from "./payment-status";

export interface PaymentProps {
  id: string;
  orderId: string;
  amount: Money;
  status: PaymentStatus;
  providerReference: string | null;
  failureReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One payment per order: PENDING → COMPLETED | FAILED (with the provider's reason). */
export class Payment {
  private events: PaymentEvent[] = [];

  private constructor(private props: PaymentProps) {}

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
  get isSettled(): boolean {
    return this.props.status !== PaymentStatus.Pending;
  }

  complete(reference: string, now: Date): Result<void, DomainError> {
    if (this.props.status !== PaymentStatus.Pending) return err(this.settledError("complete"));
    this.props = {
      ...this.props,
      status: PaymentStatus.Completed,
      providerReference: reference,
      updatedAt: now,
    };
    this.events.push({
      type: "PaymentCompleted",
      paymentId: this.id,
      orderId: this.orderId,
      amount: this.amount,
      at: now,
    });
    return ok(undefined);
  }

  fail(reason: string, now: Date): Result<void, DomainError> {
    if (this.props.status !== PaymentStatus.Pending) return err(this.settledError("fail"));
    this.props = {
      ...this.props,
      status: PaymentStatus.Failed,
      failureReason: reason,
      updatedAt: now,
    };
    this.events.push({
      type: "PaymentFailed",
      paymentId: this.id,
      orderId: this.orderId,
      amount: this.amount,
      reason,
      at: now,
    });
    return ok(undefined);
  }

  pullEvents(): PaymentEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  private settledError(action: string): DomainError {
    return new DomainError(
      "PAYMENT_ALREADY_SETTLED",
      `payment ${this.id} is ${this.props.status} and cannot ${action}`,
    );
  }
}
