import { setTimeout as sleep } from "node:timers/promises";
import { statement, type SqlExecutor } from "../../shared/db/sql-database";
import type { Money } from "../../shared/domain/money.value-object";
import type {
  ChargeOutcome,
  ChargeRequest,
  ChargeStatus,
  PaymentProvider,
} from "../domain/payment-provider.port";

/**
 * The simulated provider's answer for an amount: it declines anything above `declineAbove`
 * (PAYMENT_DECLINE_ABOVE, default 100000.00 INR) or in another currency and approves the rest,
 * so a test or a user can make a payment fail on purpose with a large order.
 */
export function simulatedDecision(
  request: Pick<ChargeRequest, "orderId" | "amount">,
  declineAbove: Money,
): ChargeOutcome {
  if (request.amount.currency !== declineAbove.currency) {
    return {
      approved: false,
      reason: `currency ${request.amount.currency} is not supported; payments are taken in ${declineAbove.currency}`,
    };
  }
  if (request.amount.isGreaterThan(declineAbove)) {
    return {
      approved: false,
      reason: `amount ${request.amount} exceeds the limit of ${declineAbove}`,
    };
  }
  return { approved: true, reference: `sim-${request.orderId}` };
}

interface LedgerRow {
  outcome: "CHARGED" | "DECLINED" | "RELEASED";
  reason: string | null;
  reference: string | null;
  refunded_at: Date | null;
}

/** The first answer under a key is the only one: a repeat returns it unchanged. */
const CHARGE = statement(
  "provider.charge",
  `INSERT INTO simulated_provider_ledger (idempotency_key, order_id, amount_minor, currency,
     outcome, reason, reference, answered_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7, now())
   ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
   RETURNING outcome, reason, reference, refunded_at`,
);
/** Refunds a charge once; a key never charged is closed, so no later charge goes through. */
const RELEASE = statement(
  "provider.release",
  `INSERT INTO simulated_provider_ledger AS l (idempotency_key, order_id, amount_minor, currency,
     outcome, answered_at)
   VALUES ($1, $2, $3, $4, 'RELEASED', now())
   ON CONFLICT (idempotency_key) DO UPDATE
   SET refunded_at = CASE WHEN l.outcome = 'CHARGED' THEN coalesce(l.refunded_at, now()) END
   RETURNING outcome, reason, reference, refunded_at`,
);
const STATUS = statement(
  "provider.status",
  `SELECT outcome, reason, reference, refunded_at FROM simulated_provider_ledger
   WHERE idempotency_key = $1`,
);

/**
 * The default provider: no network, deterministic answers, and books of its own (a ledger table
 * in the payment database, written on its own connections, never inside the payment service's
 * transactions) so that what it charged and refunded can be counted per order. `latencyMs`
 * (PAYMENT_PROVIDER_LATENCY_MS) makes each call take as long as a real provider's.
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  constructor(
    private readonly declineAbove: Money,
    private readonly ledger: SqlExecutor,
    private readonly latencyMs = 0,
  ) {}

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    const decision = simulatedDecision(request, this.declineAbove);
    const row = await this.call(CHARGE, [
      ...keyOf(request),
      decision.approved ? "CHARGED" : "DECLINED",
      decision.approved ? null : decision.reason,
      decision.approved ? decision.reference : null,
    ]);
    return toOutcome(row!);
  }

  async status(paymentId: string): Promise<ChargeStatus> {
    const row = await this.call(STATUS, [paymentId]);
    if (!row) return { state: "unknown" };
    if (row.outcome === "RELEASED" || row.refunded_at) {
      return { state: "released", refunded: row.refunded_at !== null };
    }
    return { state: "answered", ...toOutcome(row) };
  }

  async release(request: ChargeRequest): Promise<{ refunded: boolean }> {
    const row = await this.call(RELEASE, keyOf(request));
    return { refunded: row!.outcome === "CHARGED" };
  }

  private async call(
    sql: typeof CHARGE,
    values: readonly unknown[],
  ): Promise<LedgerRow | undefined> {
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    return (await this.ledger.query<LedgerRow>(sql, values))[0];
  }
}

const keyOf = (request: ChargeRequest) => [
  request.paymentId,
  request.orderId,
  request.amount.minor,
  request.amount.currency,
];

function toOutcome(row: LedgerRow): ChargeOutcome {
  if (row.outcome === "CHARGED") return { approved: true, reference: row.reference ?? "" };
  if (row.outcome === "RELEASED") return { approved: false, reason: "the payment was cancelled" };
  return { approved: false, reason: row.reason ?? "declined" };
}
