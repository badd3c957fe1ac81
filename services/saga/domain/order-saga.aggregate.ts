import type { DomainError } from "../../shared/domain/domain-error";
import type { Money } from "../../shared/domain/money.value-object";
import { err, ok, type Result } from "../../shared/domain/result";
import type { SagaCommand } from "./saga.commands";
import { illegalSagaTransition } from "./saga.errors";
import { SagaState } from "./saga-state";
import { SAGA_STEPS, type SagaStep } from "./saga-transitions";

/** One line of the saga's history: every change of state, when, and which message caused it. */
export interface SagaTransition {
  from: SagaState | null;
  to: SagaState;
  at: Date;
  causationId: string;
  note: string | null;
}

export interface OrderSagaProps {
  orderId: string;
  state: SagaState;
  amount: Money;
  failureReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type StepOutcome = "applied" | "duplicate";

/** Why the saga gave up on a payment, as the order's cancellation reason says. */
export const PAYMENT_TIMED_OUT = "payment timed out";

/**
 * The order saga orchestrates payment for one order (its id is the orderId). It owns the
 * process, not the data: each step records a transition and queues the command for the next
 * service; the repository writes both in one transaction with the outbox. Every waiting state
 * has a deadline, so no saga waits forever (docs/adr/0011).
 */
export class OrderSaga {
  private newTransitions: SagaTransition[] = [];
  private commands: SagaCommand[] = [];

  private constructor(private props: OrderSagaProps) {}

  static start(input: {
    orderId: string;
    amount: Money;
    causationId: string;
    now: Date;
  }): OrderSaga {
    const saga = new OrderSaga({
      orderId: input.orderId,
      state: SagaState.Started,
      amount: input.amount,
      failureReason: null,
      createdAt: input.now,
      updatedAt: input.now,
    });
    saga.newTransitions.push({
      from: null,
      to: SagaState.Started,
      at: input.now,
      causationId: input.causationId,
      note: null,
    });
    return saga;
  }

  static restore(props: OrderSagaProps): OrderSaga {
    return new OrderSaga({ ...props });
  }

  get orderId(): string {
    return this.props.orderId;
  }
  get state(): SagaState {
    return this.props.state;
  }
  get amount(): Money {
    return this.props.amount;
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

  /** STARTED → PAYMENT_INITIATED, asking the payment service to charge the order total. */
  markPaymentInitiated(causationId: string, now: Date): Result<StepOutcome, DomainError> {
    return this.step("paymentInitiated", causationId, now, null, () => {
      this.commands.push({ type: "InitiatePayment", orderId: this.orderId, amount: this.amount });
    });
  }

  /** PAYMENT_INITIATED → PAYMENT_COMPLETED, asking the order service to confirm the order. */
  markPaymentCompleted(causationId: string, now: Date): Result<StepOutcome, DomainError> {
    return this.step("paymentCompleted", causationId, now, null, () => {
      this.commands.push({ type: "ApproveOrder", orderId: this.orderId });
    });
  }

  /** PAYMENT_INITIATED → PAYMENT_FAILED, asking the order service to cancel the order. */
  markPaymentFailed(
    reason: string,
    causationId: string,
    now: Date,
  ): Result<StepOutcome, DomainError> {
    return this.step("paymentFailed", causationId, now, reason, () => {
      this.props = { ...this.props, failureReason: reason };
      this.commands.push(this.rejectOrder());
    });
  }

  /** PAYMENT_COMPLETED → ORDER_CONFIRMED: the saga has ended well. */
  markOrderConfirmed(causationId: string, now: Date): Result<StepOutcome, DomainError> {
    return this.step("orderConfirmed", causationId, now, null, () => undefined);
  }

  /**
   * The order service cancelled the order. After a failed payment the saga has ended
   * (ORDER_CANCELLED). After a timeout, or when the order refused approval after the money was
   * taken, the payment is undone first (COMPENSATING, CancelPayment).
   */
  markOrderCancelled(
    reason: string,
    causationId: string,
    now: Date,
  ): Result<StepOutcome, DomainError> {
    return this.step("orderCancelled", causationId, now, reason, (from) => {
      if (from === SagaState.PaymentFailed) return;
      if (from === SagaState.PaymentCompleted)
        this.props = { ...this.props, failureReason: `order cancelled: ${reason}` };
      this.commands.push(this.cancelPayment());
    });
  }

  /** COMPENSATING → COMPENSATED: the payment was cancelled, or refunded if it had been taken. */
  markPaymentReleased(
    refunded: boolean,
    causationId: string,
    now: Date,
  ): Result<StepOutcome, DomainError> {
    const note = refunded ? "payment refunded" : "payment cancelled, nothing was charged";
    return this.step("paymentReleased", causationId, now, note, () => undefined);
  }

  /** PAYMENT_INITIATED → PAYMENT_TIMED_OUT: the saga gives up on the payment and rejects the order. */
  markPaymentTimedOut(causationId: string, now: Date): Result<StepOutcome, DomainError> {
    return this.step("paymentTimedOut", causationId, now, PAYMENT_TIMED_OUT, () => {
      this.props = { ...this.props, failureReason: PAYMENT_TIMED_OUT };
      this.commands.push(this.rejectOrder());
    });
  }

  /**
   * The state's deadline has passed (see saga-deadlines.ts). A saga still waiting for the
   * payment's outcome gives up: PAYMENT_TIMED_OUT, and the order is rejected. Any other waiting
   * state sends its command again (a lost or dead-lettered command must not stall the saga;
   * every receiver treats a repeat as a no-op and answers again), and records that it did.
   */
  onDeadline(causationId: string, now: Date): Result<StepOutcome, DomainError> {
    switch (this.props.state) {
      case SagaState.Started:
        return this.markPaymentInitiated(causationId, now);
      case SagaState.PaymentInitiated:
        return this.markPaymentTimedOut(causationId, now);
      case SagaState.PaymentCompleted:
        return this.remind({ type: "ApproveOrder", orderId: this.orderId }, causationId, now);
      case SagaState.PaymentFailed:
      case SagaState.PaymentTimedOut:
        return this.remind(this.rejectOrder(), causationId, now);
      case SagaState.Compensating:
        return this.remind(this.cancelPayment(), causationId, now);
      case SagaState.OrderConfirmed:
      case SagaState.OrderCancelled:
      case SagaState.Compensated:
        return ok("duplicate");
    }
  }

  pullTransitions(): SagaTransition[] {
    const transitions = this.newTransitions;
    this.newTransitions = [];
    return transitions;
  }

  pullCommands(): SagaCommand[] {
    const commands = this.commands;
    this.commands = [];
    return commands;
  }

  private step(
    name: SagaStep,
    causationId: string,
    now: Date,
    note: string | null,
    effect: (from: SagaState) => void,
  ): Result<StepOutcome, DomainError> {
    const rule = SAGA_STEPS[name];
    const from = this.props.state;
    if (rule.alreadyDone.includes(from)) return ok("duplicate");
    const to = rule.moves[from];
    if (!to) {
      const needs = Object.keys(rule.moves).join(" or ");
      return err(illegalSagaTransition(this.orderId, from, name, needs));
    }
    this.newTransitions.push({ from, to, at: now, causationId, note });
    this.props = { ...this.props, state: to, updatedAt: now };
    effect(from);
    return ok("applied");
  }

  /** The same state again, with its command sent again; the history says so. */
  private remind(
    command: SagaCommand,
    causationId: string,
    now: Date,
  ): Result<StepOutcome, DomainError> {
    const { state } = this.props;
    const note = `no reply before the deadline; ${command.type} sent again`;
    this.newTransitions.push({ from: state, to: state, at: now, causationId, note });
    this.props = { ...this.props, updatedAt: now };
    this.commands.push(command);
    return ok("applied");
  }

  private rejectOrder(): SagaCommand {
    const reason =
      this.props.state === SagaState.PaymentTimedOut
        ? PAYMENT_TIMED_OUT
        : `payment failed: ${this.props.failureReason ?? "unknown"}`;
    return { type: "RejectOrder", orderId: this.orderId, reason };
  }

  private cancelPayment(): SagaCommand {
    return {
      type: "CancelPayment",
      orderId: this.orderId,
      amount: this.amount,
      reason: this.props.failureReason ?? "order cancelled",
    };
  }
}
