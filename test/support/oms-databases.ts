import type { QueryResultRow } from "pg";
import type { DatabaseOwner } from "../../services/shared/config/config";

/**
 * The three databases of a running OMS, however it runs (a test system, a cluster of processes,
 * the embedded mode): one SQL statement against one context's database.
 */
export interface OmsDatabases {
  query<T extends QueryResultRow = Record<string, unknown>>(
    owner: DatabaseOwner,
    sql: string,
    params?: unknown[],
  ): Promise<T[]>;
}

export const OWNERS: readonly DatabaseOwner[] = ["order", "payment", "saga"];

/**
 * What the tests read from the databases, by name, so a test reads as what it checks. Each one
 * is what a user would look at in psql.
 */
const count = async (
  db: OmsDatabases,
  owner: DatabaseOwner,
  sql: string,
  params: unknown[] = [],
): Promise<number> => (await db.query<{ n: number }>(owner, sql, params))[0]!.n;

/** The orders' status and cancellation reason, in no particular order. */
export const ordersOf = (db: OmsDatabases, orderIds: readonly string[]) =>
  db.query<{ id: string; status: string; reason: string | null }>(
    "order",
    "SELECT id, status, cancellation_reason AS reason FROM orders WHERE id = ANY($1::uuid[])",
    [orderIds],
  );

/** How many orders were stored under an idempotency key. */
export const ordersWithKey = (db: OmsDatabases, key: string) =>
  count(db, "order", "SELECT count(*)::int AS n FROM orders WHERE idempotency_key = $1", [key]);

/** How many payment rows an order has (UNIQUE keeps it ≤ 1: count charges to catch doubles). */
export const paymentsFor = (db: OmsDatabases, orderId: string) =>
  count(db, "payment", "SELECT count(*)::int AS n FROM payments WHERE order_id = $1", [orderId]);

/** The payments of some orders, with their status. */
export const paymentsOf = (db: OmsDatabases, orderIds: readonly string[]) =>
  db.query<{ order_id: string; status: string }>(
    "payment",
    "SELECT order_id, status FROM payments WHERE order_id = ANY($1::uuid[])",
    [orderIds],
  );

/** How many payments wait for the provider's first answer. */
export const pendingPayments = (db: OmsDatabases) =>
  count(db, "payment", "SELECT count(*)::int AS n FROM payments WHERE status = 'PENDING'");

/** What the simulated provider's own books say about an order: one row per key it was asked. */
export const ledgerOf = (db: OmsDatabases, orderId: string) =>
  db.query<{ outcome: string; refunded: boolean }>(
    "payment",
    `SELECT outcome, refunded_at IS NOT NULL AS refunded FROM simulated_provider_ledger
     WHERE order_id = $1`,
    [orderId],
  );

/**
 * How many times the provider charged an order, under any key. The witness for "charged once":
 * `payments.order_id` is UNIQUE, so counting payment rows could never find a double charge.
 */
export const chargesFor = (db: OmsDatabases, orderId: string) =>
  count(
    db,
    "payment",
    "SELECT count(*)::int AS n FROM simulated_provider_ledger WHERE order_id = $1 AND outcome = 'CHARGED'",
    [orderId],
  );

/** Per order: its payment's status, the charges the provider took, and those it kept. */
export const moneyOf = (db: OmsDatabases, orderIds: readonly string[]) =>
  db.query<{ order_id: string; payment_status: string | null; charges: number; kept: number }>(
    "payment",
    `SELECT o.id AS order_id, p.status AS payment_status,
       count(l.*) FILTER (WHERE l.outcome = 'CHARGED')::int AS charges,
       count(l.*) FILTER (WHERE l.outcome = 'CHARGED' AND l.refunded_at IS NULL)::int AS kept
     FROM unnest($1::uuid[]) AS o(id)
     LEFT JOIN payments p ON p.order_id = o.id
     LEFT JOIN simulated_provider_ledger l ON l.order_id = o.id
     GROUP BY o.id, p.status`,
    [orderIds],
  );

/** How many charges the provider has on its books, for anyone. */
export const providerCalls = (db: OmsDatabases) =>
  count(db, "payment", "SELECT count(*)::int AS n FROM simulated_provider_ledger");

/** The saga's state, or undefined when the order has none yet. */
export const sagaStateOf = async (db: OmsDatabases, orderId: string) =>
  (
    await db.query<{ state: string }>("saga", "SELECT state FROM order_sagas WHERE order_id = $1", [
      orderId,
    ])
  )[0]?.state;

/** How many of the orders have a saga in one of `states`. */
export const sagasIn = (db: OmsDatabases, orderIds: readonly string[], states: readonly string[]) =>
  count(
    db,
    "saga",
    "SELECT count(*)::int AS n FROM order_sagas WHERE order_id = ANY($1::uuid[]) AND state = ANY($2::text[])",
    [orderIds, states],
  );

/** How many lines the saga's history has for an order. */
export const sagaTransitionsFor = (db: OmsDatabases, orderId: string) =>
  count(db, "saga", "SELECT count(*)::int AS n FROM saga_transitions WHERE order_id = $1", [
    orderId,
  ]);

/** Per order, how many times its history entered `state`. */
export const timesEntered = (db: OmsDatabases, orderIds: readonly string[], state: string) =>
  db.query<{ order_id: string; n: number }>(
    "saga",
    `SELECT order_id, count(*)::int AS n FROM saga_transitions
     WHERE to_state = $2 AND order_id = ANY($1::uuid[]) GROUP BY order_id`,
    [orderIds, state],
  );

/** Outbox rows still to be sent (parked rows wait for an operator and are not counted). */
export const unsentOutbox = (db: OmsDatabases, owner: DatabaseOwner, key?: string) =>
  key === undefined
    ? count(db, owner, "SELECT count(*)::int AS n FROM outbox WHERE parked_at IS NULL")
    : count(
        db,
        owner,
        "SELECT count(*)::int AS n FROM outbox WHERE parked_at IS NULL AND message_key = $1",
        [key],
      );

/** Whether a context's inbox recorded a message as handled (committed with its effects). */
export const inboxHas = async (db: OmsDatabases, owner: DatabaseOwner, messageId: string) =>
  (await count(db, owner, "SELECT count(*)::int AS n FROM inbox WHERE message_id = $1", [
    messageId,
  ])) === 1;

/** Dead letters a context keeps: all of them, or those keyed by some orders. */
export const deadLettersOf = (
  db: OmsDatabases,
  owner: DatabaseOwner,
  orderIds?: readonly string[],
) =>
  orderIds === undefined
    ? count(db, owner, "SELECT count(*)::int AS n FROM dead_letters")
    : count(
        db,
        owner,
        "SELECT count(*)::int AS n FROM dead_letters WHERE message_key = ANY($1::text[])",
        [orderIds],
      );
