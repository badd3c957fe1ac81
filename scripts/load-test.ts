/**
 * Load against a running OMS, over the public HTTP API only (as a client would). For the
 * benchmark with its own systems, ceiling and cost figures, see `npm run bench`.
 *
 *   npm run load -- latency [--orders 20]               one order at a time: 201 → CONFIRMED, client-observed
 *   npm run load -- burst [--orders 200] [--concurrency 10]
 *                                                       many orders at once; every one must end as its amount says
 * A burst watches whether orders are still PENDING (GET /orders?status=PENDING, a page of 100 at a
 * time, only as far as it needs), never each order: polling every order in flight put the tool's
 * own load on the system it was measuring (20,000 requests a second for 2,000 orders). Each order
 * is read once, at the end.
 * Options: --url http://localhost:3000 (or OMS_URL). The decline limit is read from
 * PAYMENT_DECLINE_ABOVE (default 100000.00), as the payment service reads it: give both the same
 * value. Prints its figures; exits 1 if an order did not end the way its amount says. With the
 * three *_DATABASE_URL variables set, it also checks the databases once they have settled: one
 * payment per order, every saga final, no unsent outbox row, no dead letter for these orders.
 */
import { parseArgs } from "node:util";
import pg from "pg";
import { HttpLoad } from "./bench/http-load";
import { callerToken } from "./support/caller-token";
import { percentiles } from "./bench/stats";

interface Args {
  mode: "latency" | "burst";
  orders: number;
  concurrency: number;
  url: string;
  /** The simulated provider declines amounts above this, in minor units (paise). */
  declineAboveMinor: number;
}

type OrderView = {
  orderId: string;
  status: string;
  total: string;
  createdAt: string;
  updatedAt: string;
};

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
  return {
    mode,
    orders: positiveInteger("--orders", values.orders ?? (mode === "latency" ? "20" : "200")),
    concurrency: positiveInteger("--concurrency", values.concurrency!),
    url: values.url!,
    declineAboveMinor: toMinor(process.env.PAYMENT_DECLINE_ABOVE ?? "100000.00"),
  };
}

function positiveInteger(option: string, text: string): number {
  if (!/^[1-9]\d*$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new Error(`${option} must be a positive integer, got "${text}"`);
  return Number(text);
}

/** "100000.00" → 10000000: an amount in major units, at most 2 decimals, in integer minor units. */
function toMinor(amount: string): number {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (!match)
    throw new Error(`PAYMENT_DECLINE_ABOVE must be an amount like 100000.00, got "${amount}"`);
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

/** A price (minor units) the provider approves: at most the limit, and different per order. */
const approvedPrice = (index: number, limit: number) =>
  Math.max(1, Math.min(limit, 10_000 + index));
/** A price (minor units) the provider declines: half as much again as the limit, at least 1.00 above. */
const declinedPrice = (limit: number) => limit + Math.max(100, Math.round(limit / 2));

const orderBody = (priceMinor: number) =>
  JSON.stringify({ items: [{ productId: "load-test", quantity: 1, price: priceMinor / 100 }] });

/** The bearer token every request carries (OMS_TOKEN, or one signed as `npm run token` does). */
let token: Promise<string> | undefined;
const authorization = async () => ({ authorization: `Bearer ${await (token ??= callerToken())}` });

async function place(url: string, priceMinor: number): Promise<string> {
  const response = await fetch(`${url}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(await authorization()) },
    body: orderBody(priceMinor),
  });
  const body = (await response.json()) as { orderId?: string; message?: string };
  if (response.status !== 201 || !body.orderId)
    throw new Error(`POST /orders answered ${response.status}: ${body.message}`);
  return body.orderId;
}

async function read(url: string, orderId: string): Promise<OrderView> {
  const response = await fetch(`${url}/orders/${orderId}`, { headers: await authorization() });
  return (await response.json()) as OrderView;
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
    await sleep(pollMs);
  }
}

/** One order at a time, polled every 5 ms: what a single user waits from 201 to CONFIRMED. */
async function latency({ url, orders, declineAboveMinor }: Args): Promise<void> {
  const samples: number[] = [];
  for (let index = 0; index < orders; index += 1) {
    const started = performance.now();
    const orderId = await place(url, approvedPrice(index, declineAboveMinor));
    const placedAt = performance.now();
    const order = await untilFinal(url, orderId, 5);
    if (order.status !== "CONFIRMED") throw new Error(`order ${orderId} ended ${order.status}`);
    samples.push(performance.now() - placedAt);
    if (index === 0) console.log(`first order: POST took ${(placedAt - started).toFixed(1)} ms`);
  }
  console.log(`201 → CONFIRMED over ${orders} sequential orders: ${describe(samples)}`);
}

/** Many orders at once; 1 in 5 above the decline limit. Latency from the order's own timestamps. */
async function burst({ url, orders, concurrency, declineAboveMinor }: Args): Promise<void> {
  const priceOf = (index: number) =>
    index % 5 === 4 ? declinedPrice(declineAboveMinor) : approvedPrice(index, declineAboveMinor);
  const pendingBefore = await pendingOrders(url);
  const load = new HttpLoad(url, await (token ??= callerToken()), concurrency);
  const started = performance.now();
  const result = await load.burst(orders, concurrency, (index) => orderBody(priceOf(index)));
  await load.close();
  const placing = (performance.now() - started) / 1000;
  const refused = Object.entries(result.refused);
  console.log(
    `placed ${result.accepted.length} orders in ${placing.toFixed(1)} s (${(result.accepted.length / placing).toFixed(0)} orders/s), ` +
      `${refused.length === 0 ? "none refused" : `refused: ${JSON.stringify(result.refused)}`}, decline limit ${(declineAboveMinor / 100).toFixed(2)}`,
  );

  await untilPendingAtMost(url, pendingBefore, 120_000);
  const drained = (performance.now() - started) / 1000;
  const finals = await readEach(url, result.accepted, 8);
  const wrong = finals.filter((view, index) => {
    const totalMinor = Math.round(Number(view.total) * 100);
    const expected = totalMinor > declineAboveMinor ? "CANCELLED" : "CONFIRMED";
    return view.status !== expected || view.orderId !== result.accepted[index];
  });
  const count = (status: string) => finals.filter((view) => view.status === status).length;
  console.log(
    `all final after ${drained.toFixed(1)} s: ${count("CONFIRMED")} CONFIRMED, ${count("CANCELLED")} CANCELLED, ${wrong.length} not as their amount says`,
  );
  const serverLatency = finals.map(
    (view) => Date.parse(view.updatedAt) - Date.parse(view.createdAt),
  );
  console.log(`created → final (server timestamps): ${describe(serverLatency)}`);
  const consistent = await checkDatabases(result.accepted);
  if (wrong.length > 0 || refused.length > 0 || !consistent) process.exitCode = 1;
}

/**
 * PENDING orders, counted a page of 100 at a time, and only as far as `upTo` + 1: whether more
 * than `upTo` are pending takes one request when the backlog is empty.
 */
async function pendingOrders(url: string, upTo = Infinity): Promise<number> {
  let counted = 0;
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? "" : `&cursor=${cursor}`;
    const response = await fetch(`${url}/orders?status=PENDING&pageSize=100${query}`, {
      headers: await authorization(),
    });
    const page = (await response.json()) as { rows: unknown[]; nextCursor: string | null };
    counted += page.rows.length;
    cursor = page.nextCursor;
  } while (cursor !== null && counted <= upTo);
  return counted;
}

async function untilPendingAtMost(url: string, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (
    let pending = await pendingOrders(url, count);
    pending > count;
    pending = await pendingOrders(url, count)
  ) {
    if (Date.now() > deadline)
      throw new Error(`${pending} orders still PENDING after ${timeoutMs} ms`);
    await sleep(250);
  }
}

/** Each order once, a few at a time. */
async function readEach(url: string, orderIds: string[], parallel: number): Promise<OrderView[]> {
  const views: OrderView[] = new Array(orderIds.length);
  let next = 0;
  const reader = async () => {
    for (let index = next++; index < orderIds.length; index = next++)
      views[index] = await read(url, orderIds[index]!);
  };
  await Promise.all(Array.from({ length: parallel }, reader));
  return views;
}

/**
 * The saga ends one message after the order (ADR 0004) and outbox rows are marked sent after
 * publishing, so this polls, for up to 30 s, until the databases have settled.
 */
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
  const db = {
    order: new pg.Client({ connectionString: urls.order }),
    payment: new pg.Client({ connectionString: urls.payment }),
    saga: new pg.Client({ connectionString: urls.saga }),
  };
  const all = Object.values(db);
  const count = async (client: pg.Client, sql: string, params: unknown[] = []) =>
    Number((await client.query(sql, params)).rows[0].n);
  const countAll = async (sql: string, params: unknown[] = []) =>
    (await Promise.all(all.map((client) => count(client, sql, params)))).reduce((a, b) => a + b);

  await Promise.all(all.map((client) => client.connect()));
  try {
    const started = performance.now();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const payments = await count(
        db.payment,
        "SELECT count(*) AS n FROM payments WHERE order_id = ANY($1::uuid[])",
        [orderIds],
      );
      const finalSagas = await count(
        db.saga,
        "SELECT count(*) AS n FROM order_sagas WHERE order_id = ANY($1::uuid[]) AND state IN ('ORDER_CONFIRMED', 'ORDER_CANCELLED')",
        [orderIds],
      );
      const unsent = await countAll("SELECT count(*) AS n FROM outbox");
      const settled =
        payments === orderIds.length && finalSagas === orderIds.length && unsent === 0;
      if (settled || Date.now() > deadline) {
        const dead = await countAll(
          "SELECT count(*) AS n FROM dead_letters WHERE message_key = ANY($1::text[])",
          [orderIds],
        );
        const waited = ((performance.now() - started) / 1000).toFixed(1);
        console.log(
          `databases ${settled ? "settled" : "NOT settled"} after ${waited} s: ${payments} payments and ` +
            `${finalSagas} final sagas for ${orderIds.length} orders, ${unsent} unsent outbox rows, ` +
            `${dead} dead letters for these orders`,
        );
        return settled && dead === 0;
      }
      await sleep(250);
    }
  } finally {
    await Promise.all(all.map((client) => client.end()));
  }
}

function describe(samples: number[]): string {
  const { p50, p95, max, count } = percentiles(samples);
  return `median ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, min ${Math.min(...samples).toFixed(0)} ms, max ${max.toFixed(0)} ms (n=${count})`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
