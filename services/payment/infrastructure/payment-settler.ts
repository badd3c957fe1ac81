import { statement, type SqlDatabase } from "../../shared/db/sql-database";
import { storedMoney } from "../../shared/db/stored-money";
import type { Logger } from "../../shared/logger";
import {
  endingSpans,
  NO_MESSAGE_TRACING,
  type MessageTracing,
} from "../../shared/messaging/message-tracing";
import { parseTraceparent, type TraceContext } from "../../shared/messaging/trace-context";
import { PeriodicTask } from "../../shared/runtime/periodic-task";
import {
  askProvider,
  type ClaimedPayment,
  type ProviderAnswer,
} from "../application/settle-payment/settle-payment";
import type { PaymentProvider } from "../domain/payment-provider.port";
import { PaymentStatus } from "../domain/payment-status";

export interface SettledAnswer {
  payment: ClaimedPayment;
  answer: ProviderAnswer;
  /** The span the provider was asked in: what the answer's events carry on. */
  trace: TraceContext | undefined;
}

interface Claimed {
  payment: ClaimedPayment;
  /** The span the payment was queued in. */
  queuedIn: TraceContext | undefined;
}

export interface PaymentSettlerOptions {
  database: SqlDatabase;
  provider: PaymentProvider;
  /** Records the answers in one transaction (the second one of a payment's settlement). */
  record: (answers: readonly SettledAnswer[]) => Promise<void>;
  batchSize: number;
  /** How long a claim lasts: a payment whose settler died is claimed again after this. */
  leaseMs: number;
  /** How often to look for claimable payments besides being woken after each commit. */
  pollIntervalMs: number;
  logger: Logger;
  /** Called once the provider has answered and before the answers are recorded (failpoints). */
  afterAnswers?: () => void;
  /** A span per provider call, continuing the trace of the order the payment is for. */
  tracing?: MessageTracing;
}

interface ClaimRow {
  id: string;
  order_id: string;
  status: string;
  amount_minor: number;
  currency: string;
  settle_attempts: number;
  trace_parent: string | null;
}

/**
 * Claims the payments that wait for the provider, whoever is running: SKIP LOCKED lets several
 * payment nodes share the work, and the lease (settle_after moves one lease ahead) hands a
 * payment whose settler died, or whose answer could not be recorded, to the next claim.
 */
const CLAIM = statement(
  "payment.claim",
  `WITH due AS (
     SELECT id FROM payments WHERE settle_after <= now()
     ORDER BY settle_after LIMIT $1 FOR UPDATE SKIP LOCKED)
   UPDATE payments p
   SET settle_after = now() + make_interval(secs => $2::float8 / 1000),
     settle_attempts = p.settle_attempts + 1
   FROM due WHERE p.id = due.id
   RETURNING p.id, p.order_id, p.status, p.amount_minor, p.currency, p.settle_attempts,
     p.trace_parent`,
);

/**
 * The second half of safe charging: after the payment's intent has committed, ask the provider
 * outside any transaction, then record its answer in a new one. Woken after each commit of the
 * payment consumer, and on a timer for payments left behind by a crash.
 */
export class PaymentSettler {
  private readonly task: PeriodicTask;

  constructor(private readonly options: PaymentSettlerOptions) {
    this.task = new PeriodicTask(options.pollIntervalMs, () => this.drain());
  }

  start(): void {
    this.task.start({ now: true });
  }

  /** A payment consumer committed: payments may wait for the provider now. */
  wake(): void {
    this.task.wake();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const claimed = await this.claim();
        if (claimed.length > 0) await this.settle(claimed);
        if (claimed.length < this.options.batchSize || !this.task.active) return;
      }
    } catch (error) {
      // The claims lapse and are taken again: nothing is lost by waiting for the next turn.
      this.options.logger.warn(`Settling payments failed: ${(error as Error).message}`);
    }
  }

  private async claim(): Promise<Claimed[]> {
    const { database, batchSize, leaseMs } = this.options;
    const rows = await database.query<ClaimRow>(CLAIM, [batchSize, leaseMs]);
    return rows.map((row) => ({
      payment: {
        paymentId: row.id,
        orderId: row.order_id,
        amount: storedMoney(row.amount_minor, row.currency, `payment ${row.id}`),
        status: row.status as PaymentStatus,
        attempt: row.settle_attempts,
      },
      queuedIn: parseTraceparent(row.trace_parent),
    }));
  }

  private async settle(claimed: readonly Claimed[]): Promise<void> {
    const { logger } = this.options;
    const asked = await Promise.allSettled(claimed.map((claim) => this.ask(claim)));
    const answers: SettledAnswer[] = [];
    asked.forEach((result, index) => {
      const { payment } = claimed[index]!;
      if (result.status === "fulfilled") answers.push(result.value);
      else
        logger.warn(
          `The provider did not answer for payment ${payment.paymentId} (attempt ${payment.attempt}): ${(result.reason as Error).message}; asking again after the lease`,
        );
    });
    if (answers.length === 0) return;
    this.options.afterAnswers?.();
    await this.options.record(answers);
  }

  /** One call to the provider, as a span of the order's trace. */
  private async ask({ payment, queuedIn }: Claimed): Promise<SettledAnswer> {
    const { provider, tracing = NO_MESSAGE_TRACING } = this.options;
    const span = tracing.start(
      `provider ${payment.status === PaymentStatus.Pending ? "charge" : "release"}`,
      {
        parent: queuedIn,
        service: "payment",
        kind: "CLIENT",
        tags: { orderId: payment.orderId, paymentId: payment.paymentId, attempt: payment.attempt },
      },
    );
    const answer = await endingSpans([span], () => askProvider(provider, payment));
    return { payment, answer, trace: span.context };
  }
}
