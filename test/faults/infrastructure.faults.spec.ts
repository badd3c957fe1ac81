import { readFileSync } from "node:fs";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import {
  ApproveOrderContract,
  OrderCreatedContract,
  PaymentCompletedContract,
  PaymentFailedContract,
} from "../../contracts";
import { eventually } from "../support/eventually";
import { http } from "../support/http";
import { Cluster, KAFKA_BROKERS } from "../e2e/support/cluster";
import { expectNoLag, placeOrders } from "../e2e/support/orders";
import { expectFinalAsTheirAmountSays, expectSettled, type PlacedOrder } from "../support/settled";
import { killBroker, startBroker } from "../../scripts/chaos/broker";
import { TcpProxy } from "../support/tcp-proxy";

/**
 * Infrastructure failing under load: processes killed mid-batch, database connections cut, the
 * broker killed, faults raised by PostgreSQL itself, a rebalance, replies duplicated and out of
 * order, a record the broker refuses. After each: every order final as its amount says, one
 * charge per confirmed order and none kept per cancelled one, outboxes drained, no dead letter.
 */
const cluster = new Cluster("faults-infra");

beforeAll(() => cluster.start());
afterAll(() => cluster.stop());

/** A burst that calls `whileRunning` once some (not all) of its orders were accepted. */
async function burstWith(
  count: number,
  whileRunning: () => Promise<void>,
  options: { tolerateFailures?: boolean } = {},
): ReturnType<typeof placeOrders> {
  const accepted: PlacedOrder[] = [];
  const burst = placeOrders(cluster, count, {
    concurrency: 4,
    tolerateFailures: options.tolerateFailures ?? false,
    onAccepted: (order) => accepted.push(order),
  });
  await eventually(() => expect(accepted.length).toBeGreaterThan(count / 4), 60_000, 10);
  await whileRunning();
  return burst;
}

async function settledCorrectly(orders: PlacedOrder[]): Promise<void> {
  await expectSettled(cluster, orders);
  await expectNoLag(cluster);
}

it("the order node SIGKILLed mid-burst (between commit and publish, between commit and offset commit)", async () => {
  let servedAfterMs = 0;
  const orders = await burstWith(
    60,
    async () => {
      await cluster.kill("order");
      const started = Date.now();
      await cluster.startNode("order");
      // The only order node: the first 201 after its start is its own.
      await eventually(
        async () => {
          const { status } = await http(cluster.baseUrl, "POST", "/orders", {
            json: { items: [{ productId: "probe", quantity: 1, price: 1 }] },
          });
          expect(status).toBe(201);
        },
        60_000,
        50,
      );
      servedAfterMs = Date.now() - started;
    },
    { tolerateFailures: true },
  );
  console.log(`the restarted order node placed an order ${servedAfterMs} ms after it was started`);
  // An unavailable service is a 503 (with Retry-After), never a 500.
  expect([...(orders.refusedWith ?? [])].filter((status) => status !== 503)).toEqual([]);
  await settledCorrectly(orders);
});

it("the saga's database connections cut for 8 s and restored: it leaves its group, rejoins, loses nothing", async () => {
  const proxy = new TcpProxy(Number(new URL(cluster.databaseUrl("saga")).port || 5432));
  await proxy.start();
  try {
    await cluster.kill("saga");
    await cluster.startNode("saga", 1, {
      SAGA_DATABASE_URL: proxy.in(cluster.databaseUrl("saga")),
      CONSUMER_PAUSE_AFTER_MS: "3000",
    });
    await cluster.waitUntilReady(60_000); // its consumers have joined: the cut hits live work
    const orders = await burstWith(60, async () => {
      proxy.cutConnections();
      await new Promise((resolve) => setTimeout(resolve, 8_000));
      proxy.restore();
    });
    await settledCorrectly(orders);
    const log = readFileSync(path.join(cluster.logDir, "faults-infra-saga-1.log"), "utf8");
    expect(log).toContain("leaving the group");
    expect(log).toContain("rejoining the group");
  } finally {
    await cluster.kill("saga");
    await cluster.startNode("saga");
    await proxy.stop();
  }
});

it("serialization failures and deadlocks raised by PostgreSQL in a handler are retried in place, never dead-lettered", async () => {
  // nextval is not rolled back with the failing transaction: exactly the first 6 writes fail.
  await cluster.query(
    "order",
    `CREATE SEQUENCE injected_faults;
     CREATE FUNCTION inject_fault() RETURNS trigger LANGUAGE plpgsql AS $$
     DECLARE n bigint := nextval('injected_faults');
     BEGIN
       IF n <= 3 THEN RAISE EXCEPTION 'injected' USING ERRCODE = 'serialization_failure'; END IF;
       IF n <= 6 THEN RAISE EXCEPTION 'injected' USING ERRCODE = 'deadlock_detected'; END IF;
       RETURN NEW;
     END $$;
     CREATE TRIGGER inject_fault BEFORE UPDATE ON orders
       FOR EACH ROW EXECUTE FUNCTION inject_fault();`,
  );
  try {
    const orders = await placeOrders(cluster, 30, { concurrency: 5 });
    await settledCorrectly(orders);
    const [faults] = await cluster.query<{ n: string }>(
      "order",
      "SELECT last_value AS n FROM injected_faults",
    );
    expect(Number(faults!.n)).toBeGreaterThan(6);
  } finally {
    await cluster.query(
      "order",
      "DROP TRIGGER inject_fault ON orders; DROP FUNCTION inject_fault(); DROP SEQUENCE injected_faults",
    );
  }
});

it("the broker SIGKILLed mid-burst and restarted: every accepted order final", async () => {
  const orders = await burstWith(
    60,
    async () => {
      await killBroker();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      startBroker();
    },
    { tolerateFailures: true },
  );
  // With the broker down no RPC can pass: the gateway says 503, never 500.
  expect([...(orders.refusedWith ?? [])].filter((status) => status !== 503)).toEqual([]);
  await cluster.waitUntilReady(120_000);
  await settledCorrectly(orders);
});

it("a rebalance mid-batch: a second payment node joins, then the first is SIGKILLed", async () => {
  const orders = await burstWith(80, async () => {
    await cluster.startNode("payment", 2);
    await cluster.kill("payment", 1);
  });
  await settledCorrectly(orders);
  await cluster.startNode("payment", 1);
  await cluster.kill("payment", 2);
});

it("duplicated and reordered replies change nothing: a late PaymentFailed is dead-lettered, not applied", async () => {
  const orders = await placeOrders(cluster, 10, { concurrency: 5 });
  await settledCorrectly(orders);
  const confirmed = orders.filter((order) => order.total <= 100_000);
  const producer = new Kafka({
    clientId: "faults-replies",
    brokers: KAFKA_BROKERS.split(","),
    logLevel: logLevel.NOTHING,
  }).producer();
  await producer.connect();
  const at = new Date().toISOString();
  const send = async (topic: string, key: string, envelope: object) =>
    producer.send({
      topic: cluster.topic(topic),
      messages: [{ key, value: JSON.stringify(envelope) }],
    });
  try {
    for (const { orderId, total } of confirmed) {
      const context = { correlationId: orderId, causationId: "faults-replies" };
      const amount = { amountMinor: total * 100, currency: "INR" };
      const paymentId = (
        await cluster.query<{ id: string }>(
          "payment",
          "SELECT id FROM payments WHERE order_id = $1",
          [orderId],
        )
      )[0]!.id;
      const completed = PaymentCompletedContract.envelope(
        { orderId, paymentId, amount, completedAt: at },
        context,
      );
      await send("payment.completed", orderId, completed);
      await send("payment.completed", orderId, completed); // the same message twice
      await send("order.approve", orderId, ApproveOrderContract.envelope({ orderId }, context));
      await send(
        "payment.failed",
        orderId,
        PaymentFailedContract.envelope(
          { orderId, paymentId, amount, reason: "late", failedAt: at },
          context,
        ),
      );
    }
  } finally {
    await producer.disconnect();
  }
  const ids = confirmed.map((order) => order.orderId);
  await eventually(async () => {
    const [dead] = await cluster.query<{ n: number }>(
      "saga",
      "SELECT count(*)::int AS n FROM dead_letters WHERE message_key = ANY($1::text[]) AND error_code = 'ILLEGAL_SAGA_TRANSITION'",
      [ids],
    );
    expect(dead!.n).toBe(ids.length);
  }, 30_000);
  await expectFinalAsTheirAmountSays(cluster, orders);
  const states = await cluster.query<{ state: string }>(
    "saga",
    "SELECT state FROM order_sagas WHERE order_id = ANY($1::uuid[])",
    [ids],
  );
  expect(states.every((row) => row.state === "ORDER_CONFIRMED")).toBe(true);
});

it("a record the broker refuses for good is parked; the service's other messages flow on", async () => {
  const orderId = "00000000-0000-4000-8000-000000000001";
  const huge = OrderCreatedContract.envelope(
    {
      orderId,
      items: [{ productId: "p", quantity: 1, unitPrice: { amountMinor: 100, currency: "INR" } }],
      total: { amountMinor: 100, currency: "INR" },
      createdAt: new Date().toISOString(),
      // Beyond Kafka's default 1 MB message limit.
      padding: "x".repeat(2_000_000),
    } as never,
    { correlationId: orderId, causationId: "faults-huge" },
  );
  await cluster.query(
    "order",
    `INSERT INTO outbox (message_id, topic, message_key, message_type, envelope)
     VALUES ($1, 'order.created', $2, 'OrderCreated', $3::jsonb)`,
    [huge.messageId, orderId, JSON.stringify(huge)],
  );
  const orders = await placeOrders(cluster, 20, { concurrency: 5 });
  await settledCorrectly(orders);
  const parked = await eventually(async () => {
    const rows = await cluster.query<{ parked: boolean; last_error: string }>(
      "order",
      "SELECT parked_at IS NOT NULL AS parked, last_error FROM outbox WHERE message_id = $1",
      [huge.messageId],
    );
    expect(rows[0]?.parked).toBe(true);
    return rows[0]!;
  }, 60_000);
  expect(parked.last_error).toMatch(/too large|MESSAGE_TOO_LARGE|larger/i);
  const health = await http<{ checks: { order: { outboxParked: number } } }>(
    cluster.baseUrl,
    "GET",
    "/health/ready",
  );
  expect(health.body.checks.order.outboxParked).toBe(1);
  await cluster.query("order", "DELETE FROM outbox WHERE message_id = $1", [huge.messageId]);
});
