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
  idempotency_key: string;
  outcome: "CHARGED" | "DECLINED" | "RELEASED";
  reason: string | null;
  reference: string | null;
  refunded_at: Date | null;
}

const RETURNING = "RETURNING idempotency_key, outcome, reason, reference, refunded_at";
/** The first answer under a key is the only one: a repeat returns it unchanged. */
const CHARGE = statement(
  "provider.charge",
  `INSERT INTO simulated_provider_ledger (idempotency_key, order_id, amount_minor, currency,
     outcome, reason, reference, answered_at)
   SELECT key, order_id, amount_minor, currency, outcome, reason, reference, now()
   FROM json_to_recordset($1::json) AS r(key uuid, order_id uuid, amount_minor bigint,
     currency text, outcome text, reason text, reference text)
   ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
   ${RETURNING}`,
);
/** Refunds a charge once; a key never charged is closed, so no later charge goes through. */
const RELEASE = statement(
  "provider.release",
  `INSERT INTO simulated_provider_ledger AS l (idempotency_key, order_id, amount_minor, currency,
     outcome, answered_at)
   SELECT key, order_id, amount_minor, currency, 'RELEASED', now()
   FROM json_to_recordset($1::json) AS r(key uuid, order_id uuid, amount_minor bigint,
     currency text)
   ON CONFLICT (idempotency_key) DO UPDATE
   SET refunded_at = CASE WHEN l.outcome = 'CHARGED' THEN coalesce(l.refunded_at, now()) END
   ${RETURNING}`,
);
const STATUS = statement(
  "provider.status",
  `SELECT idempotency_key, outcome, reason, reference, refunded_at
   FROM simulated_provider_ledger WHERE idempotency_key = $1`,
);

type Call = "charge" | "release";
interface Waiting {
  row: Record<string, unknown>;
  answer: (row: LedgerRow) => void;
  fail: (error: unknown) => void;
}

/**
 * The default provider: no network, deterministic answers, and books of its own (a ledger table
 * in the payment database, written on its own connections, never inside the payment service's
 * transactions) so that what it charged and refunded can be counted per order. `latencyMs`
 * (PAYMENT_PROVIDER_LATENCY_MS) makes each call take as long as a real provider's.
 *
 * Calls made in the same turn of the event loop (the settler asks for a whole claim at once)
 * are written with one statement per kind, like a provider's server taking many requests at
 * once; each key still gets exactly the answer it would alone. (One statement per call cost a
 * round trip and a commit per order: a third of the benchmark's database time.)
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  private readonly waiting: Record<Call, Map<string, Waiting[]>> = {
    charge: new Map(),
    release: new Map(),
  };
  private flushing = false;

  constructor(
    private readonly declineAbove: Money,
    private readonly ledger: SqlExecutor,
    private readonly latencyMs = 0,
  ) {}

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    const decision = simulatedDecision(request, this.declineAbove);
    const row = await this.call("charge", {
      ...keyOf(request),
      outcome: decision.approved ? "CHARGED" : "DECLINED",
      reason: decision.approved ? null : decision.reason,
      reference: decision.approved ? decision.reference : null,
    });
    return toOutcome(row);
  }

  async status(paymentId: string): Promise<ChargeStatus> {
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    const [row] = await this.ledger.query<LedgerRow>(STATUS, [paymentId]);
    if (!row) return { state: "unknown" };
    if (row.outcome === "RELEASED" || row.refunded_at) {
      return { state: "released", refunded: row.refunded_at !== null };
    }
    return { state: "answered", ...toOutcome(row) };
  }

  async release(request: ChargeRequest): Promise<{ refunded: boolean }> {
    const row = await this.call("release", keyOf(request));
    return { refunded: row.outcome === "CHARGED" };
  }

  private async call(kind: Call, row: Record<string, unknown>): Promise<LedgerRow> {
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    return new Promise((answer, fail) => {
      const key = row.key as string;
      const callers = this.waiting[kind].get(key);
      if (callers) callers.push({ row, answer, fail });
      else this.waiting[kind].set(key, [{ row, answer, fail }]);
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Charges before releases: whichever a real provider saw first, the books end the same. */
  private async flush(): Promise<void> {
    this.flushing = false;
    await this.write("charge", CHARGE);
    await this.write("release", RELEASE);
  }

  private async write(kind: Call, sql: typeof CHARGE): Promise<void> {
    const batch = this.waiting[kind];
    if (batch.size === 0) return;
    this.waiting[kind] = new Map();
    // One row per key: a statement may not insert-or-update the same row twice.
    const rows = [...batch.values()].map((callers) => callers[0]!.row);
    try {
      const written = await this.ledger.query<LedgerRow>(sql, [JSON.stringify(rows)]);
      const byKey = new Map(written.map((row) => [row.idempotency_key, row]));
      for (const [key, callers] of batch) {
        const row = byKey.get(key);
        for (const caller of callers)
          if (row) caller.answer(row);
          else caller.fail(new Error(`the provider wrote no answer for ${key}`));
      }
    } catch (error) {
      for (const callers of batch.values()) for (const caller of callers) caller.fail(error);
    }
  }
}

const keyOf = (request: ChargeRequest) => ({
  key: request.paymentId,
  order_id: request.orderId,
  amount_minor: request.amount.minor,
  currency: request.amount.currency,
});

function toOutcome(row: LedgerRow): ChargeOutcome {
  if (row.outcome === "CHARGED") return { approved: true, reference: row.reference ?? "" };
  if (row.outcome === "RELEASED") return { approved: false, reason: "the payment was cancelled" };
  return { approved: false, reason: row.reason ?? "declined" };
}
