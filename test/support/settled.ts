import { FINAL_SAGA_STATES } from "../../services/saga/domain/saga-state";
import { eventually } from "./eventually";
import { http } from "./http";
import {
  deadLettersOf,
  moneyOf,
  ordersOf,
  OWNERS,
  paymentsOf,
  sagasIn,
  unsentOutbox,
  type OmsDatabases,
} from "./oms-databases";

/** Above this total (in rupees) the simulated provider declines (PAYMENT_DECLINE_ABOVE). */
export const DECLINE_ABOVE = 100_000;

/** An order a test placed, and the total it asked for (which decides how it must end). */
export interface PlacedOrder {
  orderId: string;
  total: number;
}

/**
 * The one check that a run left the system as a user expects it, in any mode: every order final
 * as its amount and history say, each with one payment and a finished saga, the money right at
 * the provider, nothing left in an outbox and nothing dead-lettered. With `baseUrl`, the HTTP
 * views must say the same as the databases.
 */
export async function expectSettled(
  db: OmsDatabases,
  orders: readonly PlacedOrder[],
  options: { timeoutMs?: number; baseUrl?: string } = {},
): Promise<void> {
  const ids = orders.map((order) => order.orderId);
  await expectFinalAsTheirAmountSays(db, orders, options.timeoutMs);
  // A compensated order's payment may be recorded after the order is final.
  await eventually(async () => {
    const payments = await paymentsOf(db, ids);
    expect(new Set(payments.map((payment) => payment.order_id)).size).toBe(ids.length);
    expect(payments).toHaveLength(ids.length);
  }, 60_000);
  // The saga ends one message after the order: when it has consumed OrderConfirmed/Cancelled.
  await eventually(async () => {
    expect(await sagasIn(db, ids, FINAL_SAGA_STATES)).toBe(ids.length);
  }, 60_000);
  await expectMoneyRight(db, ids);
  for (const owner of OWNERS) {
    await eventually(async () => {
      expect({ owner, unsent: await unsentOutbox(db, owner) }).toEqual({ owner, unsent: 0 });
    });
    expect({ owner, deadLetters: await deadLettersOf(db, owner, ids) }).toEqual({
      owner,
      deadLetters: 0,
    });
  }
  if (options.baseUrl) await expectViewsAgree(db, options.baseUrl, ids);
}

/**
 * Every order final, and final the way its amount and its history say: CONFIRMED up to the
 * limit, else CANCELLED; or CANCELLED because the saga gave up waiting for the payment (a long
 * outage can do that, rightly; expectMoneyRight then checks nothing was kept).
 */
export async function expectFinalAsTheirAmountSays(
  db: OmsDatabases,
  orders: readonly PlacedOrder[],
  timeoutMs = 90_000,
): Promise<void> {
  const ids = orders.map((order) => order.orderId);
  const expected = new Map(
    orders.map((order) => [order.orderId, order.total > DECLINE_ABOVE ? "CANCELLED" : "CONFIRMED"]),
  );
  await eventually(
    async () => {
      const rows = await ordersOf(db, ids);
      expect(rows).toHaveLength(ids.length);
      for (const row of rows) {
        const timedOut = row.status === "CANCELLED" && row.reason === "payment timed out";
        expect({ id: row.id, status: row.status }).toEqual({
          id: row.id,
          status: timedOut ? "CANCELLED" : expected.get(row.id),
        });
      }
    },
    timeoutMs,
    500,
  );
}

/**
 * What the provider's own ledger says, per order: a CONFIRMED order was charged exactly once and
 * keeps that charge; a CANCELLED one keeps nothing (charged at most once, and then refunded).
 * Counted per order, not per idempotency key, so a charge under a second key would show.
 */
export async function expectMoneyRight(
  db: OmsDatabases,
  orderIds: readonly string[],
): Promise<void> {
  await eventually(async () => {
    const statusOf = new Map((await ordersOf(db, orderIds)).map((row) => [row.id, row.status]));
    const wrong = (await moneyOf(db, orderIds))
      .map((row) => ({ ...row, order_status: statusOf.get(row.order_id) ?? "MISSING" }))
      .filter((row) =>
        row.order_status === "CONFIRMED"
          ? row.charges !== 1 || row.kept !== 1 || row.payment_status !== "COMPLETED"
          : row.order_status !== "CANCELLED" ||
            row.charges > 1 ||
            row.kept !== 0 ||
            !["FAILED", "CANCELLED", "REFUNDED"].includes(row.payment_status ?? "FAILED"),
      );
    expect(wrong).toEqual([]);
  }, 60_000);
}

/** The API shows each order, its saga and its payment as the databases have them. */
async function expectViewsAgree(
  db: OmsDatabases,
  baseUrl: string,
  orderIds: readonly string[],
): Promise<void> {
  const statusOf = new Map((await ordersOf(db, orderIds)).map((row) => [row.id, row.status]));
  const paymentOf = new Map(
    (await paymentsOf(db, orderIds)).map((row) => [row.order_id, row.status]),
  );
  for (const orderId of orderIds) {
    const order = await http(baseUrl, "GET", `/orders/${orderId}`);
    const saga = await http(baseUrl, "GET", `/orders/${orderId}/saga`);
    const payment = await http(baseUrl, "GET", `/orders/${orderId}/payment`);
    expect({
      orderId,
      order: order.body.status,
      finished: saga.body.finished,
      payment: payment.body.status,
    }).toEqual({
      orderId,
      order: statusOf.get(orderId),
      finished: true,
      payment: paymentOf.get(orderId),
    });
  }
}
