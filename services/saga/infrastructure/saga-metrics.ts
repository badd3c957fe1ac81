import { statement, type SqlDatabase } from "../../shared/db/sql-database";
import type { Logger } from "../../shared/logger";
import type { OmsMetrics } from "../../shared/runtime/oms-metrics";
import { PeriodicSampler } from "../../shared/runtime/periodic-task";
import { PAYMENT_TIMED_OUT } from "../domain/saga.definition";
import { FINAL_SAGA_STATES, SagaState } from "../domain/saga-state";

/** A saga that a committed transaction brought to a final state. */
export interface EndedSaga {
  state: SagaState;
  failureReason: string | null;
  startedAt: Date;
  endedAt: Date;
}

/** Why an order was cancelled, in a few words an alert can group by. */
export function cancellationReasonOf(saga: Pick<EndedSaga, "state" | "failureReason">): string {
  if (saga.state === SagaState.OrderCancelled) return "payment_declined";
  return saga.failureReason === PAYMENT_TIMED_OUT ? "payment_timed_out" : "order_cancelled";
}

/** Counts each ended saga once: its transaction committed, and a saga ends only once. */
export function recordEndedSagas(metrics: OmsMetrics, sagas: readonly EndedSaga[]): void {
  for (const saga of sagas) {
    const confirmed = saga.state === SagaState.OrderConfirmed;
    if (confirmed) metrics.increment("ordersConfirmed");
    else metrics.increment("ordersCancelled", { reason: cancellationReasonOf(saga) });
    const seconds = (saga.endedAt.getTime() - saga.startedAt.getTime()) / 1000;
    metrics.observe("sagaDuration", seconds, { outcome: confirmed ? "confirmed" : "cancelled" });
  }
}

const WAITING_STATES = Object.values(SagaState).filter(
  (state) => !FINAL_SAGA_STATES.includes(state),
);

/**
 * Unfinished sagas by state, and those past their deadline by more than `graceMs` (the sweeper
 * should have moved them). Only unfinished sagas have a deadline, and a partial index holds just
 * them: the ORDER BY … LIMIT reads the sagas in flight through it, never the whole history (the
 * gauges stop counting at 100,000 sagas in flight).
 */
const SAMPLE = statement(
  "saga.sample",
  `SELECT state, count(*)::int AS n,
     count(*) FILTER (WHERE deadline_at < now() - make_interval(secs => $1::float8 / 1000))::int
       AS overdue
   FROM (SELECT state, deadline_at FROM order_sagas WHERE deadline_at IS NOT NULL
         ORDER BY deadline_at LIMIT 100000) in_flight
   GROUP BY state`,
);

/** Every `intervalMs`, sets the saga gauges from the saga database. */
export function sagaGauges(options: {
  database: SqlDatabase;
  metrics: OmsMetrics;
  intervalMs: number;
  /** How late a deadline may be handled before the saga counts as overdue. */
  graceMs: number;
  logger: Logger;
}): PeriodicSampler {
  const { database, metrics, intervalMs, graceMs, logger } = options;
  return new PeriodicSampler(
    intervalMs,
    async () => {
      const rows = await database.query<{ state: SagaState; n: number; overdue: number }>(SAMPLE, [
        graceMs,
      ]);
      const count = new Map(rows.map((row) => [row.state, row.n]));
      for (const state of WAITING_STATES) metrics.set("sagas", count.get(state) ?? 0, { state });
      metrics.set(
        "sagasOverdue",
        rows.reduce((sum, row) => sum + row.overdue, 0),
      );
    },
    (error) => logger.debug(`Sampling the sagas failed: ${error.message}`),
  );
}
