/**
 * Load generator and latency benchmark, over the public HTTP API only (as a client would).
 *
 *   npm run load -- latency [--orders 20]               one order at a time: 201 → CONFIRMED, client-observed
 *   npm run load -- burst [--orders 200] [--concurrency 10]
 *                                                       many orders at once; every one must end as its amount says
 * Options: --url http://localhost:3000 (or OMS_URL). Prints its figures; exits 1 if an order
 * did not end the way its amount says. With the three *_DATABASE_URL variables set, it also
 * checks the databases: one payment per order, no unsent outbox row, no dead letter.
 */
import { parseArgs } from "node:util";
import pg from "pg";

const DECLINE_ABOVE = 100_000;

interface Args {
  mode: "latency" | "burst";
  orders: number;
  concurrency: number;
  url: string;
}

type OrderView = { orderId: string; status: string; createdAt: string; updatedAt: string };

async function main(): Promise<void> {
  const args = parseArguments();
  if (args.mode === "latency") await latency(args);
  else await burst(args);
}

function parseArguments(): Args {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      orders: { type: "string" },
      concurrency: { type: "string", default: "10" },
      url: { type: "string", default: process.env.OMS_URL ?? "http://localhost:3000" },
    },
  });
  const mode = positionals[0] ?? "burst";
  if (mode !== "latency" && mode !== "burst")
    throw new Error(`unknown mode "${mode}": latency or burst`);
  const orders = Number(values.orders ?? (mode === "latency" ? 20 : 200));
  return { mode, orders, concurrency: Number(values.concurrency), url: values.url! };
}

async function place(url: string, price: number): Promise<string> {
  const response = await fetch(`${url}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ items: [{ productId: "load-test", quantity: 1, price }] }),
  });
  const body = (await response.json()) as { orderId?: string; message?: string };
  if (response.status !== 201 || !body.orderId)
    throw new Error(`POST /orders answered ${response.status}: ${body.message}`);
  return body.orderId;
}

async function read(url: string, orderId: string): Promise<OrderView> {
  return (await (await fetch(`${url}/orders/${orderId}`)).json()) as OrderView;
}

async function untilFinal(
  url: string,
  orderId: string,
  pollMs: number,
  timeoutMs = 60_000,
): Promise<OrderView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const order = await read(url, orderId);
    if (order.status !== "PENDING") return order;
    if (Date.now() > deadline)
      throw new Error(`order ${orderId} still PENDING after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** One order at a time, polled every 5 ms: what a single user waits from 201 to CONFIRMED. */
async function latency({ url, orders }: Args): Promise<void> {
  const samples: number[] = [];
  for (let index = 0; index < orders; index += 1) {
    const started = performance.now();
    const orderId = await place(url, 10 + index);
    const placedAt = performance.now();
    const order = await untilFinal(url, orderId, 5);
    if (order.status !== "CONFIRMED") throw new Error(`order ${orderId} ended ${order.status}`);
    samples.push(performance.now() - placedAt);
    if (index === 0) console.log(`first order: POST took ${(placedAt - started).toFixed(1)} ms`);
  }
  console.log(`201 → CONFIRMED over ${orders} sequential orders: ${describe(samples)}`);
}

/** Many orders at once; 1 in 5 above the decline limit. Latency from the order's own timestamps. */
async function burst({ url, orders, concurrency }: Args): Promise<void> {
  const placed: Array<{ orderId: string; total: number }> = [];
  const started = performance.now();
  for (let start = 0; start < orders; start += concurrency) {
    const batch = Array.from(
      { length: Math.min(concurrency, orders - start) },
      async (_, offset) => {
        const price = (start + offset) % 5 === 4 ? 150_000 : 100 + start + offset;
        placed.push({ orderId: await place(url, price), total: price });
      },
    );
    await Promise.all(batch);
  }
  const placing = (performance.now() - started) / 1000;
  console.log(
    `placed ${placed.length} orders in ${placing.toFixed(1)} s (${(placed.length / placing).toFixed(0)} orders/s)`,
  );

  const finals = await Promise.all(
    placed.map(async (order) => ({
      ...order,
      view: await untilFinal(url, order.orderId, 100, 120_000),
    })),
  );
  const drained = (performance.now() - started) / 1000;
  const wrong = finals.filter(
    (order) => order.view.status !== (order.total > DECLINE_ABOVE ? "CANCELLED" : "CONFIRMED"),
  );
  const count = (status: string) => finals.filter((order) => order.view.status === status).length;
  console.log(
    `all final after ${drained.toFixed(1)} s: ${count("CONFIRMED")} CONFIRMED, ${count("CANCELLED")} CANCELLED, ${wrong.length} not as their amount says`,
  );
  const serverLatency = finals.map(
    (order) => Date.parse(order.view.updatedAt) - Date.parse(order.view.createdAt),
  );
  console.log(`created → final (server timestamps): ${describe(serverLatency)}`);
  const consistent = await checkDatabases(placed.map((order) => order.orderId));
  if (wrong.length > 0 || !consistent) process.exitCode = 1;
}

async function checkDatabases(orderIds: string[]): Promise<boolean> {
  const urls = {
    order: process.env.ORDER_DATABASE_URL,
    payment: process.env.PAYMENT_DATABASE_URL,
    saga: process.env.SAGA_DATABASE_URL,
  };
  if (!urls.order || !urls.payment || !urls.saga) {
    console.log(
      "(set ORDER_DATABASE_URL, PAYMENT_DATABASE_URL and SAGA_DATABASE_URL to also check the databases)",
    );
    return true;
  }
  const scalar = async (url: string, sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return Number((await client.query(sql, params)).rows[0].n);
    } finally {
      await client.end();
    }
  };
  const payments = await scalar(
    urls.payment,
    "SELECT count(*) AS n FROM payments WHERE order_id = ANY($1::uuid[])",
    [orderIds],
  );
  const pending = (
    await Promise.all(
      Object.values(urls).map((url) =>
        scalar(url!, "SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL"),
      ),
    )
  ).reduce((a, b) => a + b);
  const dead = (
    await Promise.all(
      Object.values(urls).map((url) => scalar(url!, "SELECT count(*) AS n FROM dead_letters")),
    )
  ).reduce((a, b) => a + b);
  console.log(
    `databases: ${payments} payments for ${orderIds.length} orders, ${pending} unsent outbox rows, ${dead} dead letters`,
  );
  return payments === orderIds.length && pending === 0 && dead === 0;
}

function describe(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (quantile: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))]!;
  return `median ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, min ${sorted[0]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms (n=${sorted.length})`;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
