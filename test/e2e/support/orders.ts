import { eventually } from "../../support/eventually";
import { http } from "../../support/http";
import { Kafka, logLevel } from "kafkajs";
import { KAFKA_BROKERS, type Cluster } from "./cluster";

/** Above this total (in rupees) the simulated provider declines. */
export const DECLINE_ABOVE = 100_000;

export interface PlacedOrder {
  orderId: string;
  total: number;
}

/** The order a burst places at `index`: every fifth is above the decline limit. */
function orderAt(index: number): { body: unknown; total: number } {
  const price = index % 5 === 4 ? 60_000 : 100 + index;
  return { body: { items: [{ productId: `p${index}`, quantity: 2, price }] }, total: price * 2 };
}

/**
 * Places `count` orders over HTTP, `concurrency` at a time. With `tolerateFailures`, a request the
 * gateway refuses (e.g. 503 while Kafka is down) is counted, not thrown: the caller then checks
 * the orders that were accepted. `onAccepted` sees each order as soon as its 201 arrives, so a
 * test can act while the burst is still going.
 */
export async function placeOrders(
  cluster: Cluster,
  count: number,
  options: {
    concurrency?: number;
    tolerateFailures?: boolean;
    onAccepted?: (order: PlacedOrder) => void;
  } = {},
): Promise<PlacedOrder[] & { refused?: number; refusedWith?: Set<number> }> {
  const placed: PlacedOrder[] & { refused?: number; refusedWith?: Set<number> } = [];
  placed.refused = 0;
  placed.refusedWith = new Set();
  const concurrency = options.concurrency ?? 10;
  for (let start = 0; start < count; start += concurrency) {
    const batch = Array.from(
      { length: Math.min(concurrency, count - start) },
      async (_, offset) => {
        const { body, total } = orderAt(start + offset);
        const response = await http(cluster.baseUrl, "POST", "/orders", { json: body }).catch(
          (error: Error) => ({
            status: 0,
            body: { message: error.message } as Record<string, unknown>,
          }),
        );
        if (response.status === 201) {
          const order = { orderId: response.body.orderId as string, total };
          placed.push(order);
          options.onAccepted?.(order);
        } else if (options.tolerateFailures) {
          placed.refused! += 1;
          placed.refusedWith!.add(response.status);
        } else
          throw new Error(
            `POST /orders answered ${response.status}: ${JSON.stringify(response.body)}`,
          );
      },
    );
    await Promise.all(batch);
  }
  return placed;
}

/**
 * Every order final, and final the way its amount and its history say: CONFIRMED up to the
 * limit, else CANCELLED; or CANCELLED because the saga gave up waiting for the payment (a long
 * outage can do that, rightly; expectMoneyRight then checks nothing was kept).
 */
export async function expectAllFinalAsTheirAmountSays(
  cluster: Cluster,
  orders: PlacedOrder[],
  timeoutMs = 90_000,
): Promise<void> {
  const ids = orders.map((order) => order.orderId);
  const expected = new Map(
    orders.map((order) => [order.orderId, order.total > DECLINE_ABOVE ? "CANCELLED" : "CONFIRMED"]),
  );
  await eventually(
    async () => {
      const rows = await cluster.query<{ id: string; status: string; reason: string | null }>(
        "order",
        "SELECT id, status, cancellation_reason AS reason FROM orders WHERE id = ANY($1::uuid[])",
        [ids],
      );
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

/** The invariants a user checks in the databases after a run. */
export async function expectConsistent(cluster: Cluster, orders: PlacedOrder[]): Promise<void> {
  const ids = orders.map((order) => order.orderId);
  // A compensated order's payment may be recorded after the order is final.
  await eventually(async () => {
    const [payments] = await cluster.query<{ payments: number; orders: number }>(
      "payment",
      "SELECT count(*)::int AS payments, count(DISTINCT order_id)::int AS orders FROM payments WHERE order_id = ANY($1::uuid[])",
      [ids],
    );
    expect(payments).toEqual({ payments: ids.length, orders: ids.length });
  }, 60_000);
  // The saga ends one message after the order: when it has consumed OrderConfirmed/Cancelled.
  await eventually(async () => {
    const [sagas] = await cluster.query<{ finished: number }>(
      "saga",
      `SELECT count(*)::int AS finished FROM order_sagas WHERE order_id = ANY($1::uuid[])
       AND state IN ('ORDER_CONFIRMED', 'ORDER_CANCELLED', 'COMPENSATED')`,
      [ids],
    );
    expect(sagas!.finished).toBe(ids.length);
  }, 60_000);
  await expectMoneyRight(cluster, ids);
  for (const owner of ["order", "payment", "saga"] as const) {
    await eventually(async () => {
      const [pending] = await cluster.query<{ n: number }>(
        owner,
        // Parked rows wait for an operator; everything else must have left.
        "SELECT count(*)::int AS n FROM outbox WHERE parked_at IS NULL",
      );
      expect({ owner, pending: pending!.n }).toEqual({ owner, pending: 0 });
    });
    const [dead] = await cluster.query<{ n: number }>(
      owner,
      "SELECT count(*)::int AS n FROM dead_letters WHERE message_key = ANY($1::text[])",
      [ids],
    );
    expect({ owner, deadLetters: dead!.n }).toEqual({ owner, deadLetters: 0 });
  }
}

export async function finalStatus(
  cluster: Cluster,
  orderId: string,
): Promise<Record<string, unknown>> {
  return eventually(async () => {
    const response = await http(cluster.baseUrl, "GET", `/orders/${orderId}`);
    expect(["CONFIRMED", "CANCELLED"]).toContain(response.body.status);
    return response.body;
  }, 30_000);
}

interface MoneyRow {
  order_id: string;
  order_status: string;
  payment_status: string | null;
  charges: number;
  kept: number;
}

/**
 * What the provider's own ledger says, per order: a CONFIRMED order was charged exactly once and
 * keeps that charge; a CANCELLED one keeps nothing (charged at most once, and then refunded).
 * Counted per order, not per idempotency key, so a charge under a second key would show.
 */
export async function expectMoneyRight(cluster: Cluster, orderIds: string[]): Promise<void> {
  await eventually(async () => {
    const orders = await cluster.query<{ id: string; status: string }>(
      "order",
      "SELECT id, status FROM orders WHERE id = ANY($1::uuid[])",
      [orderIds],
    );
    const money = await cluster.query<Omit<MoneyRow, "order_status">>(
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
    const statusOf = new Map(orders.map((order) => [order.id, order.status]));
    const wrong = money
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

/**
 * Every consumer group of the cluster has committed up to the end of every partition it reads:
 * nothing is left to consume (offsets are committed once a second, hence the wait).
 */
export async function expectNoLag(cluster: Cluster): Promise<void> {
  const admin = new Kafka({
    clientId: "e2e-lag",
    brokers: KAFKA_BROKERS.split(","),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await eventually(
      async () => {
        const groups = (await admin.listGroups()).groups
          .map((group) => group.groupId)
          .filter((groupId) => groupId.startsWith(cluster.topicPrefix));
        expect(groups.length).toBeGreaterThan(0);
        const lagging: string[] = [];
        for (const groupId of groups) {
          for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
            const ends = new Map(
              (await admin.fetchTopicOffsets(topic)).map((end) => [
                end.partition,
                Number(end.high),
              ]),
            );
            for (const { partition, offset } of partitions) {
              const lag = (ends.get(partition) ?? 0) - Math.max(Number(offset), 0);
              if (lag > 0) lagging.push(`${groupId} ${topic}[${partition}] lag ${lag}`);
            }
          }
        }
        expect(lagging).toEqual([]);
      },
      60_000,
      1_000,
    );
  } finally {
    await admin.disconnect();
  }
}
