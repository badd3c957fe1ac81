import { http, orderOf } from "../support/http";
import { eventually } from "../support/eventually";
import { DECLINE_ABOVE, expectSettled, type PlacedOrder } from "../support/settled";
import { databasesOf, startTestSystem, type TestSystem } from "../support/test-system";
import {
  CONFIRMED_ORDER_HOPS,
  DECLINED_ORDER_HOPS,
  hasSpan,
  hopsTo,
  startSpanCollector,
  traceOf,
  type ZipkinSpan,
} from "../support/traces";

/**
 * One order is one trace, in embedded mode (the in-process bus): the spans the OMS exports to
 * a Zipkin-compatible collector, from the HTTP request through the outbox, the saga, the
 * payment, the provider and back to the order, share one trace id and form one tree. (The e2e
 * suite shows the same across Kafka and four nodes, with a real Zipkin.)
 */
jest.setTimeout(30_000);

const NAME = "tracing";
let system: TestSystem;
let collector: Awaited<ReturnType<typeof startSpanCollector>>;

beforeAll(async () => {
  collector = await startSpanCollector();
  system = await startTestSystem(NAME, {
    fresh: true,
    // Every trace recorded (the default records at most 10 a second).
    env: { TRACING_ZIPKIN_URL: collector.url, TRACING_TRACES_PER_SECOND: "0" },
  });
});
afterAll(async () => {
  await system.stop();
  await collector.close();
});

async function place(price: number): Promise<PlacedOrder> {
  const created = await http(system.baseUrl, "POST", "/orders", { json: orderOf("p", 1, price) });
  expect(created.status).toBe(201);
  return { orderId: created.body.orderId as string, total: price };
}

/**
 * The order's trace, once it holds the `hops` from its root to the last one (every span of
 * the path exported: each service's spans leave in their own flush), in that order.
 */
function exportedTrace(orderId: string, hops: string[]): Promise<ZipkinSpan[]> {
  return eventually(() => {
    const trace = traceOf(collector.spans, orderId);
    expect(hasSpan(trace, hops.at(-1)!)).toBe(true);
    expect(hopsTo(trace, hops.at(-1)!, hops)).toEqual(hops);
    return trace;
  }, 10_000);
}

describe("one trace per order", () => {
  let confirmed: PlacedOrder;
  let declined: PlacedOrder;

  beforeAll(async () => {
    confirmed = await place(10);
    declined = await place(DECLINE_ABOVE + 1);
    await expectSettled(databasesOf(NAME), [confirmed, declined], {
      baseUrl: system.baseUrl,
    });
  });

  it("a confirmed order's spans form one tree, from POST /orders to OrderConfirmed", async () => {
    const trace = await exportedTrace(confirmed.orderId, CONFIRMED_ORDER_HOPS);
    // Every service took part in the same trace.
    const services = new Set(trace.map((span) => span.localEndpoint?.serviceName));
    expect([...services]).toEqual(expect.arrayContaining(["api", "order", "saga", "payment"]));
    // W3C-sized ids: 32 digits for the trace, 16 for each span.
    for (const span of trace) {
      expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(span.id).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it("a declined order's trace goes from the refusal to OrderCancelled", async () => {
    await exportedTrace(declined.orderId, DECLINED_ORDER_HOPS);
  });

  it("two orders are two traces", async () => {
    const first = traceOf(collector.spans, confirmed.orderId);
    const second = traceOf(collector.spans, declined.orderId);
    expect(first[0]!.traceId).not.toBe(second[0]!.traceId);
  });

  it("spans name their order, not its contents", () => {
    const create = traceOf(collector.spans, confirmed.orderId).find(
      (span) => span.name === "action 'order.create'",
    );
    expect(create?.tags?.orderId).toBe(confirmed.orderId);
    // No request body (items, prices) travels to the collector.
    expect(JSON.stringify(create?.tags)).not.toMatch(/items|price|productId/);
  });
});
