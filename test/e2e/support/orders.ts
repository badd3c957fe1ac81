import { eventually } from "../../support/eventually";
import { http } from "../../support/http";
import type { Cluster } from "./cluster";

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
): Promise<PlacedOrder[] & { refused?: number }> {
  const placed: PlacedOrder[] & { refused?: number } = [];
  placed.refused = 0;
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
        } else if (options.tolerateFailures) placed.refused! += 1;
        else
          throw new Error(
            `POST /orders answered ${response.status}: ${JSON.stringify(response.body)}`,
          );
      },
    );
    await Promise.all(batch);
  }
  return placed;
}

/** Every order final, and final the way its amount says: CONFIRMED up to the limit, else CANCELLED. */
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
      const rows = await cluster.query<{ id: string; status: string }>(
        "order",
        "SELECT id, status FROM orders WHERE id = ANY($1::uuid[])",
        [ids],
      );
      expect(rows).toHaveLength(ids.length);
      for (const row of rows) {
        expect({ id: row.id, status: row.status }).toEqual({
          id: row.id,
          status: expected.get(row.id),
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
  const [payments] = await cluster.query<{ payments: number; orders: number }>(
    "payment",
    "SELECT count(*)::int AS payments, count(DISTINCT order_id)::int AS orders FROM payments WHERE order_id = ANY($1::uuid[])",
    [ids],
  );
  expect(payments).toEqual({ payments: ids.length, orders: ids.length });
  // The saga ends one message after the order: when it has consumed OrderConfirmed/Cancelled.
  await eventually(async () => {
    const [sagas] = await cluster.query<{ finished: number }>(
      "saga",
      "SELECT count(*)::int AS finished FROM order_sagas WHERE order_id = ANY($1::uuid[]) AND state IN ('ORDER_CONFIRMED', 'ORDER_CANCELLED')",
      [ids],
    );
    expect(sagas!.finished).toBe(ids.length);
  }, 30_000);
  for (const owner of ["order", "payment", "saga"] as const) {
    await eventually(async () => {
      const [pending] = await cluster.query<{ n: number }>(
        owner,
        "SELECT count(*)::int AS n FROM outbox",
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
