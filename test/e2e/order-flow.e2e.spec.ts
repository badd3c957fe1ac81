import { randomUUID } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { readFileSync } from "node:fs";
import path from "node:path";
import { OrderCreatedContract, PaymentFailedContract, Topics } from "../../contracts";
import { eventually } from "../support/eventually";
import { tokenFor } from "../support/auth";
import { http, orderOf } from "../support/http";
import { Cluster, KAFKA_BROKERS } from "./support/cluster";
import { finalStatus } from "./support/orders";

const cluster = new Cluster("flow");
const kafka = new Kafka({
  clientId: "e2e-raw-producer",
  brokers: KAFKA_BROKERS.split(","),
  logLevel: logLevel.NOTHING,
});
const producer = kafka.producer();

beforeAll(async () => {
  await cluster.start();
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
  await cluster.stop();
});

/** Writes raw bytes to a topic, the way a misbehaving producer (or an old test) would. */
const writeRaw = (topic: string, key: string, value: string) =>
  producer.send({ topic: cluster.topic(topic), acks: -1, messages: [{ key, value }] });

/** The first record with this key on a topic, read from its beginning as a new consumer would. */
async function readRaw(topic: string, key: string): Promise<string> {
  const consumer = kafka.consumer({ groupId: `e2e-reader-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [cluster.topic(topic)], fromBeginning: true });
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${key} record on ${topic}`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() !== key) return;
          clearTimeout(timer);
          resolve(message.value?.toString() ?? "");
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

const deadLetters = (owner: "saga" | "payment", topic: string, key: string) =>
  cluster.query<{ error_code: string; value: string }>(
    owner,
    "SELECT error_code, convert_from(value, 'UTF8') AS value FROM dead_letters WHERE source_topic = $1 AND message_key = $2",
    [topic, key],
  );

describe("over real Kafka, every service in its own process", () => {
  it("confirms an order within the limit: 999.00 INR, one payment, saga ended", async () => {
    const created = await http(cluster.baseUrl, "POST", "/orders", {
      json: orderOf("p1", 2, 499.5),
    });
    expect(created).toMatchObject({ status: 201, body: { status: "PENDING" } });
    const orderId = created.body.orderId as string;

    expect(await finalStatus(cluster, orderId)).toMatchObject({
      status: "CONFIRMED",
      total: "999.00",
    });
    const payment = await http(cluster.baseUrl, "GET", `/orders/${orderId}/payment`);
    expect(payment.body).toMatchObject({ status: "COMPLETED", amount: "999.00", currency: "INR" });
    await eventually(async () => {
      const saga = await http<{ state: string; transitions: unknown[] }>(
        cluster.baseUrl,
        "GET",
        `/orders/${orderId}/saga`,
      );
      expect(saga.body.state).toBe("ORDER_CONFIRMED");
      expect(saga.body.transitions).toHaveLength(4);
    });
  });

  it("cancels an order above the limit, with the reason", async () => {
    const created = await http(cluster.baseUrl, "POST", "/orders", {
      json: orderOf("tv", 2, 60_000),
    });
    const order = await finalStatus(cluster, created.body.orderId as string);
    expect(order).toMatchObject({ status: "CANCELLED", total: "120000.00" });
    expect(order.cancellationReason).toMatch(/exceeds the limit of 100000\.00 INR/);
  });

  it("dead-letters a non-JSON record on order.created, and the next order still completes", async () => {
    const key = `garbage-${randomUUID()}`;
    await writeRaw(Topics.orderCreated, key, "}{ not json");
    await eventually(async () =>
      expect(await deadLetters("saga", Topics.orderCreated, key)).toEqual([
        { error_code: "MALFORMED_JSON", value: "}{ not json" },
      ]),
    );

    const created = await http(cluster.baseUrl, "POST", "/orders", { json: orderOf("p2", 1, 10) });
    expect(await finalStatus(cluster, created.body.orderId as string)).toMatchObject({
      status: "CONFIRMED",
    });
  });

  it("an admin lists that dead letter over HTTP, replays it, and resolves what comes back", async () => {
    const admin = await tokenFor("e2e-admin", true);
    const key = `admin-${randomUUID()}`;
    await writeRaw(Topics.orderCreated, key, "not json, for the admin");
    type Listed = { rows: Array<Record<string, unknown> & { id: number; key: string }> };
    const open = (): Promise<Listed["rows"]> =>
      http<Listed>(
        cluster.baseUrl,
        "GET",
        `/admin/dead-letters?service=saga&topic=${Topics.orderCreated}&limit=500`,
        { token: admin },
      ).then((answer) => answer.body.rows.filter((row) => row.key === key));
    const [parked] = await eventually(async () => {
      const rows = await open();
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(parked).toMatchObject({
      service: "saga",
      errorCode: "MALFORMED_JSON",
      value: "not json, for the admin",
      headers: { "dlt-error-code": "MALFORMED_JSON", "dlt-source-topic": Topics.orderCreated },
    });
    // A customer may not even look.
    expect((await http(cluster.baseUrl, "GET", "/admin/dead-letters")).status).toBe(403);

    const replayed = await http(
      cluster.baseUrl,
      "POST",
      `/admin/dead-letters/saga/${parked!.id}/replay`,
      { token: admin },
    );
    expect(replayed).toMatchObject({
      status: 200,
      body: { replayed: parked!.id, topic: Topics.orderCreated },
    });
    // The same bytes went back to order.created, failed again, and were parked again.
    const again = await eventually(async () => {
      const rows = await open();
      expect(rows).toHaveLength(2);
      return rows.find((row) => row.id !== parked!.id)!;
    });
    expect(again.headers).toMatchObject({ "dlt-replayed-from": String(parked!.id) });
    expect((await open()).find((row) => row.id === parked!.id)).toMatchObject({
      replayCount: 1,
      replayedBy: "e2e-admin",
    });

    const resolved = await http(
      cluster.baseUrl,
      "POST",
      `/admin/dead-letters/saga/${again.id}/resolve`,
      { token: admin, json: { note: "a test's garbage" } },
    );
    expect(resolved.body).toMatchObject({
      resolvedBy: "e2e-admin",
      resolution: "a test's garbage",
    });
    expect((await open()).map((row) => row.id)).toEqual([parked!.id]);
  });

  it("a customer sees only their own orders; another customer's is a 404", async () => {
    const bob = await tokenFor("e2e-bob");
    const created = await http(cluster.baseUrl, "POST", "/orders", { json: orderOf("p1", 1, 5) });
    const orderId = created.body.orderId as string;
    expect((await http(cluster.baseUrl, "GET", `/orders/${orderId}`)).status).toBe(200);
    for (const suffix of ["", "/saga", "/payment"])
      expect(
        (await http(cluster.baseUrl, "GET", `/orders/${orderId}${suffix}`, { token: bob })).status,
      ).toBe(404);
    const listed = await http<{ rows: unknown[] }>(cluster.baseUrl, "GET", "/orders", {
      token: bob,
    });
    expect(listed.body.rows).toEqual([]);
  });

  it("puts the DLT record on order.created.DLT with headers naming the error and its origin", async () => {
    const key = `dlt-headers-${randomUUID()}`;
    await writeRaw(Topics.orderCreated, key, "not json either");
    const consumer = kafka.consumer({ groupId: `e2e-dlt-reader-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({
      topic: cluster.topic(`${Topics.orderCreated}.DLT`),
      fromBeginning: true,
    });
    const headers = await new Promise<Record<string, string>>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() !== key) return;
          resolve(
            Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
            ),
          );
        },
      });
    });
    await consumer.disconnect();
    expect(headers).toMatchObject({
      "dlt-error-code": "MALFORMED_JSON",
      "dlt-source-topic": Topics.orderCreated,
      "dlt-consumer-group": "saga-service",
    });
    expect(Number(headers["dlt-source-partition"])).toBeGreaterThanOrEqual(0);
    expect(Number(headers["dlt-source-offset"])).toBeGreaterThanOrEqual(0);
  });

  it("dead-letters an OrderCreated envelope written to payment.completed and disturbs nothing else", async () => {
    const orderId = randomUUID();
    const stale = OrderCreatedContract.envelope(
      {
        orderId,
        items: [{ productId: "p", quantity: 1, unitPrice: { amountMinor: 100, currency: "INR" } }],
        total: { amountMinor: 100, currency: "INR" },
        createdAt: new Date().toISOString(),
      },
      { correlationId: orderId, causationId: randomUUID() },
    );
    await writeRaw(Topics.paymentCompleted, orderId, JSON.stringify(stale));
    await eventually(async () => {
      const letters = await deadLetters("saga", Topics.paymentCompleted, orderId);
      expect(letters.map((letter) => letter.error_code)).toEqual(["UNEXPECTED_MESSAGE_TYPE"]);
    });
    expect(
      await cluster.query("saga", "SELECT 1 FROM order_sagas WHERE order_id = $1", [orderId]),
    ).toHaveLength(0);

    const created = await http(cluster.baseUrl, "POST", "/orders", { json: orderOf("p3", 1, 10) });
    expect(await finalStatus(cluster, created.body.orderId as string)).toMatchObject({
      status: "CONFIRMED",
    });
  });

  it("logs JSON lines, and a line a handler writes names the message's order and trace", async () => {
    // A well-formed PaymentFailed for an order without a saga: the saga's handler rejects it.
    // Its producer traced it: the saga's lines about it name that trace.
    const orderId = randomUUID();
    const traceId = randomUUID().replace(/-/g, "");
    const orphan = PaymentFailedContract.envelope(
      {
        orderId,
        paymentId: randomUUID(),
        amount: { amountMinor: 100, currency: "INR" },
        reason: "declined",
        failedAt: new Date().toISOString(),
      },
      {
        correlationId: orderId,
        causationId: randomUUID(),
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
    );
    await writeRaw(Topics.paymentFailed, orderId, JSON.stringify(orphan));
    const logFile = path.join(cluster.logDir, `${cluster.name}-saga-1.log`);
    const line = await eventually(() => {
      const lines = readFileSync(logFile, "utf8")
        .split("\n")
        .filter((text) => text.startsWith("{"))
        .map((text) => JSON.parse(text) as Record<string, unknown>);
      // stdout is a file here, not a terminal: every line is JSON.
      expect(lines.length).toBeGreaterThan(10);
      const rejected = lines.find((entry) => entry.orderId === orderId);
      expect(rejected).toBeDefined();
      return rejected!;
    }, 30_000);
    expect(line).toMatchObject({
      level: "warn",
      orderId,
      correlationId: orderId,
      messageId: orphan.messageId,
      messageType: "PaymentFailed",
      traceId,
      nodeID: `${cluster.name}-saga-1`,
      svc: "saga",
    });
    expect(line.msg).toContain("SAGA_NOT_FOUND");
    expect(Date.parse(line.time as string)).not.toBeNaN();
  });

  it("handles the same OrderCreated record delivered twice as one saga and one payment", async () => {
    const created = await http(cluster.baseUrl, "POST", "/orders", { json: orderOf("p4", 1, 10) });
    const orderId = created.body.orderId as string;
    await finalStatus(cluster, orderId);
    const published = await readRaw(Topics.orderCreated, orderId);
    const { messageId } = JSON.parse(published) as { messageId: string };

    await writeRaw(Topics.orderCreated, orderId, published);
    await writeRaw(Topics.orderCreated, orderId, published);
    // The saga consumer is past both copies once a later record of the same key is handled.
    const marker = await http(cluster.baseUrl, "POST", "/orders", { json: orderOf("p5", 1, 10) });
    await finalStatus(cluster, marker.body.orderId as string);
    await eventually(async () => {
      const [inbox] = await cluster.query<{ n: number }>(
        "saga",
        "SELECT count(*)::int AS n FROM inbox WHERE message_id = $1",
        [messageId],
      );
      expect(inbox!.n).toBe(1);
    });
    expect(
      await cluster.query("saga", "SELECT order_id FROM order_sagas WHERE order_id = $1", [
        orderId,
      ]),
    ).toHaveLength(1);
    expect(
      await cluster.query("payment", "SELECT id FROM payments WHERE order_id = $1", [orderId]),
    ).toHaveLength(1);
    expect(await deadLetters("saga", Topics.orderCreated, orderId)).toEqual([]);
  });
});
