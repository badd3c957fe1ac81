import { eventually } from "../support/eventually";
import { Cluster } from "../e2e/support/cluster";
import { placeOrders } from "../e2e/support/orders";
import {
  ordersOf,
  pendingPayments,
  paymentsOf,
  providerCalls,
  sagasIn,
  timesEntered,
} from "../support/oms-databases";
import { expectMoneyRight, expectSettled } from "../support/settled";

/**
 * Where money could be lost: a crash between the provider's charge and the record of it, and a
 * payment service that is down past the saga's deadline (with two saga nodes sweeping at once).
 * The provider's own ledger is the witness (expectMoneyRight).
 */
const cluster = new Cluster("faults-money");
/** For the saga nodes of the deadline scenario only: the first one must not time out. */
const SHORT_DEADLINE = { SAGA_PAYMENT_TIMEOUT_MS: "4000", SAGA_SWEEP_INTERVAL_MS: "200" };

beforeAll(() => cluster.start());
afterAll(() => cluster.stop());

it("a crash between the provider's charge and its record: the restarted node asks the provider, and charges nothing twice", async () => {
  await cluster.kill("payment");
  const crashing = await cluster.startNode("payment", 1, {
    OMS_FAILPOINTS: "payment.after-provider-answer",
  });
  const orders = await placeOrders(cluster, 20, { concurrency: 5 });
  // The first settlement kills the node after the provider answered, before the record.
  expect(await crashing.exited).toBeNull();
  expect(await pendingPayments(cluster)).toBeGreaterThan(0);
  expect(await providerCalls(cluster)).toBeGreaterThan(0); // the provider did answer before the crash

  await cluster.startNode("payment");
  await expectSettled(cluster, orders);
  const [resolved] = await cluster.query<{ n: number }>(
    "payment",
    "SELECT count(*)::int AS n FROM payments WHERE settle_attempts > 1",
  );
  expect(resolved!.n).toBeGreaterThan(0); // settled by asking the provider, after the lease
});

describe("the payment service down past the saga's deadline, two saga nodes sweeping", () => {
  it("every order is cancelled once ('payment timed out'); when payment is back, nothing stays charged", async () => {
    await cluster.kill("saga");
    await Promise.all([
      cluster.startNode("saga", 1, SHORT_DEADLINE),
      cluster.startNode("saga", 2, SHORT_DEADLINE),
    ]);
    await cluster.kill("payment");
    const started = Date.now();
    const orders = await placeOrders(cluster, 20, { concurrency: 5 });
    const ids = orders.map((order) => order.orderId);

    await eventually(
      async () => {
        const rows = await ordersOf(cluster, ids);
        expect(rows).toHaveLength(ids.length);
        for (const { status, reason } of rows)
          expect({ status, reason }).toEqual({ status: "CANCELLED", reason: "payment timed out" });
      },
      30_000,
      200,
    );
    // From the moment each saga started waiting for the payment to its order's cancellation.
    const waited = await cluster.query<{ order_id: string; initiated: Date }>(
      "saga",
      `SELECT order_id, occurred_at AS initiated FROM saga_transitions
       WHERE to_state = 'PAYMENT_INITIATED' AND order_id = ANY($1::uuid[])`,
      [ids],
    );
    const cancelled = await cluster.query<{ id: string; at: Date }>(
      "order",
      "SELECT id, updated_at AS at FROM orders WHERE id = ANY($1::uuid[])",
      [ids],
    );
    const cancelledAt = new Map(cancelled.map((row) => [row.id, row.at.getTime()]));
    const delays = waited.map((row) => cancelledAt.get(row.order_id)! - row.initiated.getTime());
    console.log(
      `all ${ids.length} orders CANCELLED ("payment timed out"); from PAYMENT_INITIATED to CANCELLED: ` +
        `${Math.min(...delays)}–${Math.max(...delays)} ms (deadline 4,000 ms + sweep 200 ms); ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s after the burst began`,
    );
    // Two sweepers, one timeout per saga.
    const timeouts = await timesEntered(cluster, ids, "PAYMENT_TIMED_OUT");
    expect(timeouts).toHaveLength(ids.length);
    expect(timeouts.every((row) => row.n === 1)).toBe(true);

    await cluster.startNode("payment");
    await eventually(async () => {
      const payments = await paymentsOf(cluster, ids);
      expect(payments).toHaveLength(ids.length);
      for (const payment of payments) expect(["CANCELLED", "REFUNDED"]).toContain(payment.status);
    }, 60_000);
    await expectMoneyRight(cluster, ids);
    await eventually(async () => {
      expect(await sagasIn(cluster, ids, ["COMPENSATED"])).toBe(ids.length);
    }, 60_000);
    await cluster.kill("saga", 2);
  });
});
