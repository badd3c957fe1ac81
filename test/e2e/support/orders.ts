import { eventually } from "../../support/eventually";
import { http } from "../../support/http";
import { Kafka, logLevel } from "kafkajs";
import type { PlacedOrder } from "../../support/settled";
import { KAFKA_BROKERS, type Cluster } from "./cluster";

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
