import { AggregateRoot } from "../../shared/domain/aggregate-root";
import type { DomainError } from "../../shared/domain/domain-error";
import type { Money } from "../../shared/domain/money.value-object";
import { err, ok, type Result } from "../../shared/domain/result";
import {
  SAGA_STATES,
  SAGA_STEPS,
  type SagaFact,
  type SagaStep,
  type SagaTrigger,
} from "./saga.definition";
import type { SagaCommand } from "./saga.commands";
import { illegalSagaTransition } from "./saga.errors";
import { SagaState } from "./saga-state";
import type { Outcome } from "../../shared/domain/outcome";

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

/**
 * The order saga orchestrates payment for one order (its id is the orderId). It owns the
 * process, not the data: each step records a transition and the command for the next service,
 * which the repository writes in one transaction with the outbox. What each step does is the
 * definition's (saga.definition.ts); this class applies it. Every waiting state has a
 * deadline, so no saga waits forever (docs/adr/0011).
 */
export class OrderSaga extends AggregateRoot<SagaCommand> {
  private newTransitions: SagaTransition[] = [];

  private constructor(private props: OrderSagaProps) {
    super();
  }

  /** A new saga in STARTED; the OrderCreated step then initiates the payment. */
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

  /**
   * Moves the saga as `trigger` says: a message's step, or what the state does at its deadline
   * (take a step, or send its command again). A repeat is "unchanged"; a move the definition
   * does not list is an error, and nothing changes.
   */
  advance(
    trigger: SagaTrigger,
    fact: SagaFact,
    causationId: string,
    now: Date,
  ): Result<Outcome, DomainError> {
    if (trigger !== "DeadlinePassed") return this.step(trigger, fact, causationId, now);
    const { atDeadline } = SAGA_STATES[this.props.state];
    if (atDeadline === null) return ok("unchanged");
    if (atDeadline === "resend") return this.resend(causationId, now);
    return this.step(atDeadline, {}, causationId, now);
  }

  pullTransitions(): SagaTransition[] {
    const transitions = this.newTransitions;
    this.newTransitions = [];
    return transitions;
  }

  private step(
    name: SagaStep,
    fact: SagaFact,
    causationId: string,
    now: Date,
  ): Result<Outcome, DomainError> {
    const rule = SAGA_STEPS[name];
    const from = this.props.state;
    if (rule.alreadyDone.includes(from)) return ok("unchanged");
    const to = rule.moves[from];
    if (!to) {
      const needs = Object.keys(rule.moves).join(" or ");
      return err(illegalSagaTransition(this.orderId, from, name, needs));
    }
    const note = rule.note?.(fact) ?? null;
    this.newTransitions.push({ from, to, at: now, causationId, note });
    const failureReason = rule.failureReason?.(fact, from) ?? this.props.failureReason;
    this.props = { ...this.props, state: to, failureReason, updatedAt: now };
    this.sendStateCommand();
    return ok("applied");
  }

  /** The same state again, with its command sent again; the history says so. */
  private resend(causationId: string, now: Date): Result<Outcome, DomainError> {
    const { state } = this.props;
    const command = this.sendStateCommand();
    const note = `no reply before the deadline; ${command?.type ?? "nothing"} sent again`;
    this.newTransitions.push({ from: state, to: state, at: now, causationId, note });
    this.props = { ...this.props, updatedAt: now };
    return ok("applied");
  }

  private sendStateCommand(): SagaCommand | undefined {
    const command = SAGA_STATES[this.props.state].sends?.(this.props);
    if (command) this.record(command);
    return command;
  }
}
