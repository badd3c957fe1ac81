import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import type { DatabaseOwner } from "../../services/shared/config/config";
import { DECLINE_ABOVE, type AcceptedOrder } from "./client";

export interface Invariants {
  /** Orders the client got a 201 for. */
  placed: number;
  final: number;
  confirmed: number;
  cancelled: number;
  /** Of the cancelled: the saga gave up waiting for the payment (and undid it). */
  cancelledTimedOut: number;
  /** Accepted (201) but not in the orders table. Must be 0. */
  lost: number;
  /** Not final, or its saga not finished, when the run ended. Must be 0. */
  stuck: number;
  /** Charged more than once by the provider, or more than one charge kept. Must be 0. */
  doubleCharged: number;
  /** CANCELLED with money still kept at the provider. Must be 0. */
  keptForCancelled: number;
  /** CONFIRMED without exactly one kept charge. Must be 0. */
  confirmedUnpaid: number;
  /** CONFIRMED above the limit, or CANCELLED within it for a reason other than a timeout. */
  wrongOutcome: number;
  outboxPending: number;
  outboxParked: number;
  deadLetters: number;
}

type Databases = Record<DatabaseOwner, string>;

async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Waits until every accepted order is final, its saga finished and every outbox drained. */
export async function waitUntilSettled(
  databases: Databases,
  accepted: readonly AcceptedOrder[],
  timeoutMs: number,
): Promise<boolean> {
  const ids = accepted.map((order) => order.orderId);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [orders] = await query<{ open: number }>(
      databases.order,
      "SELECT count(*)::int AS open FROM orders WHERE id = ANY($1::uuid[]) AND status = 'PENDING'",
      [ids],
    );
    const [sagas] = await query<{ done: number }>(
      databases.saga,
      `SELECT count(*)::int AS done FROM order_sagas WHERE order_id = ANY($1::uuid[])
       AND state IN ('ORDER_CONFIRMED', 'ORDER_CANCELLED', 'COMPENSATED')`,
      [ids],
    );
    const pending = await outboxCounts(databases);
    if (orders!.open === 0 && sagas!.done === ids.length && pending.pending === 0) return true;
    await sleep(1_000);
  }
  return false;
}

async function outboxCounts(databases: Databases) {
  let pending = 0;
  let parked = 0;
  let deadLetters = 0;
  for (const url of Object.values(databases)) {
    const [row] = await query<{ pending: number; parked: number; dead: number }>(
      url,
      `SELECT (SELECT count(*) FROM outbox WHERE parked_at IS NULL)::int AS pending,
         (SELECT count(*) FROM outbox WHERE parked_at IS NOT NULL)::int AS parked,
         (SELECT count(*) FROM dead_letters)::int AS dead`,
    );
    pending += row!.pending;
    parked += row!.parked;
    deadLetters += row!.dead;
  }
  return { pending, parked, deadLetters };
}

/** What a user checks in the databases, and in the provider's own ledger, after the run. */
export async function checkInvariants(
  databases: Databases,
  accepted: readonly AcceptedOrder[],
): Promise<Invariants> {
  const ids = accepted.map((order) => order.orderId);
  const orders = await query<{ id: string; status: string; total: string; reason: string | null }>(
    databases.order,
    `SELECT id, status, total_minor AS total, cancellation_reason AS reason FROM orders
     WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  const money = await query<{ order_id: string; charges: number; kept: number }>(
    databases.payment,
    `SELECT order_id, count(*) FILTER (WHERE outcome = 'CHARGED')::int AS charges,
       count(*) FILTER (WHERE outcome = 'CHARGED' AND refunded_at IS NULL)::int AS kept
     FROM simulated_provider_ledger WHERE order_id = ANY($1::uuid[]) GROUP BY order_id`,
    [ids],
  );
  const sagas = await query<{ order_id: string; state: string }>(
    databases.saga,
    "SELECT order_id, state FROM order_sagas WHERE order_id = ANY($1::uuid[])",
    [ids],
  );
  const moneyOf = new Map(money.map((row) => [row.order_id, row]));
  const sagaOf = new Map(sagas.map((row) => [row.order_id, row.state]));
  const finishedSaga = new Set(["ORDER_CONFIRMED", "ORDER_CANCELLED", "COMPENSATED"]);
  const result: Invariants = {
    placed: ids.length,
    final: 0,
    confirmed: 0,
    cancelled: 0,
    cancelledTimedOut: 0,
    lost: ids.length - orders.length,
    stuck: 0,
    doubleCharged: 0,
    keptForCancelled: 0,
    confirmedUnpaid: 0,
    wrongOutcome: 0,
    ...(await outboxCounts(databases).then((counts) => ({
      outboxPending: counts.pending,
      outboxParked: counts.parked,
      deadLetters: counts.deadLetters,
    }))),
  };
  for (const order of orders) {
    const { charges = 0, kept = 0 } = moneyOf.get(order.id) ?? {};
    const overLimit = Number(order.total) > DECLINE_ABOVE * 100;
    const timedOut = order.reason === "payment timed out";
    if (charges > 1 || kept > 1) result.doubleCharged += 1;
    if (order.status === "PENDING" || !finishedSaga.has(sagaOf.get(order.id) ?? "")) {
      result.stuck += 1;
      continue;
    }
    result.final += 1;
    if (order.status === "CONFIRMED") {
      result.confirmed += 1;
      if (kept !== 1) result.confirmedUnpaid += 1;
      if (overLimit) result.wrongOutcome += 1;
    } else {
      result.cancelled += 1;
      if (timedOut) result.cancelledTimedOut += 1;
      if (kept !== 0) result.keptForCancelled += 1;
      if (!overLimit && !timedOut) result.wrongOutcome += 1;
    }
  }
  return result;
}

/**
 * For each kill: how long until every order accepted before it was final (its recovery). Orders
 * accepted long before the kill were final long before it, so the latest of them decides.
 */
export async function recoveryAfterKills(
  databases: Databases,
  accepted: readonly AcceptedOrder[],
  kills: ReadonlyArray<{ node: string; at: number }>,
): Promise<Array<{ node: string; at: number; recoveredMs: number }>> {
  const rows = await query<{ id: string; at: Date }>(
    databases.order,
    "SELECT id, updated_at AS at FROM orders WHERE id = ANY($1::uuid[]) AND status <> 'PENDING'",
    [accepted.map((order) => order.orderId)],
  );
  const finalAt = new Map(rows.map((row) => [row.id, row.at.getTime()]));
  return kills.map(({ node, at }) => {
    let latest = at;
    for (const order of accepted) {
      if (order.acceptedAt >= at) continue;
      latest = Math.max(latest, finalAt.get(order.orderId) ?? Number.POSITIVE_INFINITY);
    }
    return { node, at, recoveredMs: latest - at };
  });
}
