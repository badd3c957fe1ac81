import { DomainError } from "../../shared/domain/domain-error";
import type { Money } from "../../shared/domain/money.value-object";
import { err, ok, type Result } from "../../shared/domain/result";
import type { SagaCommand } from "./saga.commands";
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

export const ILLEGAL_SAGA_TRANSITION = "ILLEGAL_SAGA_TRANSITION";

/**
 * The order saga orchestrates payment for one order (its id is the orderId). It owns the
 * process, not the data: each step records a transition and queues the command for the next
 * service; the repository writes both in one transaction with the outbox.
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
      this.commands.push({
        type: "RejectOrder",
        orderId: this.orderId,
        reason: `payment failed: ${reason}`,
      });
    });
  }

  /** PAYMENT_COMPLETED → ORDER_CONFIRMED: the saga has ended well. */
  markOrderConfirmed(causationId: string, now: Date): Result<StepOutcome, DomainError> {
    return this.step("orderConfirmed", causationId, now, null, () => undefined);
  }

  /** PAYMENT_FAILED → ORDER_CANCELLED: the saga has ended, compensated. */
  markOrderCancelled(
    reason: string,
    causationId: string,
    now: Date,
  ): Result<StepOutcome, DomainError> {
    return this.step("orderCancelled", causationId, now, reason, () => undefined);
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
    effect: () => void,
  ): Result<StepOutcome, DomainError> {
    const rule = SAGA_STEPS[name];
    if (rule.alreadyDone.includes(this.props.state)) return ok("duplicate");
    if (this.props.state !== rule.from) {
      return err(
        new DomainError(
          ILLEGAL_SAGA_TRANSITION,
          `saga ${this.orderId} is ${this.props.state}; ${name} needs ${rule.from}`,
        ),
      );
    }
    this.newTransitions.push({ from: this.props.state, to: rule.to, at: now, causationId, note });
    this.props = { ...this.props, state: rule.to, updatedAt: now };
    effect();
    return ok("applied");
  }
}
