import { Topics } from "../../contracts";
import { OMS_METRICS } from "../../services/shared/runtime/oms-metrics";
import { eventually } from "../support/eventually";
import { http, orderOf } from "../support/http";
import { helpTexts, parseSamples, valueOf, type Sample } from "../support/prometheus-text";
import { expectSettled, type PlacedOrder } from "../support/settled";
import { busOf, databasesOf, startTestSystem, type TestSystem } from "../support/test-system";

/**
 * What an operator sees on the node's /metrics after real traffic: the business counters, the
 * saga histogram, the sampled gauges and the gateway's requests, with the values the databases
 * and the HTTP answers say.
 */
jest.setTimeout(30_000);

const NAME = "metrics";
let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem(NAME, {
    fresh: true,
    env: { METRICS_SAMPLE_INTERVAL_MS: "100", PAYMENT_DECLINE_ABOVE: "100000.00" },
  });
});
afterAll(() => system.stop());

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const response = await fetch(system.metricsUrl);
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, samples: parseSamples(text) };
}

async function place(price: number): Promise<PlacedOrder> {
  const created = await http(system.baseUrl, "POST", "/orders", { json: orderOf("p", 1, price) });
  expect(created.status).toBe(201);
  return { orderId: created.body.orderId as string, total: price };
}

describe("GET /metrics after three confirmed orders and one declined", () => {
  let samples: Sample[];
  let text: string;

  beforeAll(async () => {
    const orders = [await place(10), await place(20), await place(30), await place(150_000)];
    // The same POST twice with one Idempotency-Key is one order.
    const key = { "idempotency-key": "metrics-replay" };
    const first = await http(system.baseUrl, "POST", "/orders", {
      json: orderOf("p", 1, 5),
      headers: key,
    });
    const again = await http(system.baseUrl, "POST", "/orders", {
      json: orderOf("p", 1, 5),
      headers: key,
    });
    expect(again.body.orderId).toBe(first.body.orderId);
    orders.push({ orderId: first.body.orderId as string, total: 5 });
    await http(system.baseUrl, "GET", `/orders/${orders[0]!.orderId}`);
    await http(system.baseUrl, "GET", "/no-such-route");
    await expectSettled(databasesOf(NAME), orders);
    // The gauges are sampled: wait for a sample taken after everything settled.
    await eventually(async () => {
      ({ text, samples } = await scrape());
      for (const service of ["order", "payment", "saga"])
        expect({ service, backlog: valueOf(samples, "oms_outbox_backlog", { service }) }).toEqual({
          service,
          backlog: 0,
        });
      expect(valueOf(samples, "oms_sagas", { state: "PAYMENT_INITIATED" })).toBe(0);
      expect(valueOf(samples, "oms_orders_confirmed_total")).toBe(4);
    });
  });

  it("counts orders created, confirmed and cancelled by reason, once each", () => {
    expect(valueOf(samples, "oms_orders_created_total")).toBe(5);
    expect(valueOf(samples, "oms_orders_confirmed_total")).toBe(4);
    expect(valueOf(samples, "oms_orders_cancelled_total", { reason: "payment_declined" })).toBe(1);
    expect(valueOf(samples, "oms_orders_cancelled_total")).toBe(1);
  });

  it("has the saga duration of every finished saga, by outcome", () => {
    const finished = (outcome: string) =>
      valueOf(samples, "oms_saga_duration_seconds_bucket", { outcome, le: "+Inf" });
    expect(finished("confirmed")).toBe(4);
    expect(finished("cancelled")).toBe(1);
    // Every one ended within a minute on an idle test system.
    expect(valueOf(samples, "oms_saga_duration_seconds_bucket", { le: "60" })).toBe(5);
  });

  it("counts the payment outcomes the provider gave", () => {
    expect(valueOf(samples, "oms_payments_total", { outcome: "completed" })).toBe(4);
    expect(valueOf(samples, "oms_payments_total", { outcome: "failed" })).toBe(1);
  });

  it("counts the gateway's answers by route template and status", () => {
    expect(
      valueOf(samples, "oms_http_requests_total", { route: "POST /orders", status: "201" }),
    ).toBe(6);
    expect(
      valueOf(samples, "oms_http_requests_total", { route: "GET /orders/:orderId", status: "200" }),
    ).toBe(1);
    expect(valueOf(samples, "oms_http_requests_total", { route: "unmatched", status: "404" })).toBe(
      1,
    );
  });

  it("times the consumers per group and topic; nothing was retried or left behind", () => {
    const handled = valueOf(samples, "oms_handler_duration_seconds_bucket", {
      group: "payment-service",
      topic: "payment.initiate",
      le: "+Inf",
    });
    expect(handled).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, "oms_handler_retries_total")).toBe(0);
    // Every partition each group reads has a lag series, and nothing is left behind.
    const lags = samples.filter((sample) => sample.name === "oms_consumer_lag");
    expect(new Set(lags.map((sample) => sample.labels.group))).toEqual(
      new Set(["order-service", "payment-service", "saga-service"]),
    );
    expect(lags.every((sample) => sample.value === 0)).toBe(true);
  });

  it("registers every OMS metric with its help text, and Moleculer's own metrics are there too", () => {
    const help = helpTexts(text);
    for (const metric of Object.values(OMS_METRICS)) {
      // Registered, whether or not it has a sample yet (the page lists only those that have).
      expect(system.broker.metrics.getMetric(metric.name)).not.toBeNull();
      const name = metric.name.replace(/\./g, "_");
      if (help.has(name))
        expect({ name, help: help.get(name) }).toEqual({ name, help: metric.description });
    }
    expect(help.get("oms_orders_created_total")).toBe(OMS_METRICS.ordersCreated.description);
    expect(valueOf(samples, "moleculer_request_total", { action: "order.create" })).toBeGreaterThan(
      0,
    );
    expect(samples.every((sample) => sample.labels.nodeID === NAME)).toBe(true);
  });
});

describe("a dead letter", () => {
  it("is counted when parked, waits in the gauge, and is counted again when replayed", async () => {
    const before = (await scrape()).samples;
    const parked = () =>
      valueOf(before, "oms_dead_letters_parked_total", {
        group: "payment-service",
        topic: Topics.paymentInitiate,
        code: "MALFORMED_JSON",
      });
    const parkedBefore = parked();
    await busOf(system).publish([{ topic: Topics.paymentInitiate, key: "k", value: "not json" }]);
    let samples: Sample[] = [];
    await eventually(async () => {
      ({ samples } = await scrape());
      expect(
        valueOf(samples, "oms_dead_letters_parked_total", {
          group: "payment-service",
          topic: Topics.paymentInitiate,
          code: "MALFORMED_JSON",
        }),
      ).toBe(parkedBefore + 1);
      expect(valueOf(samples, "oms_dead_letters_waiting", { service: "payment" })).toBe(1);
    });

    const [letter] = await system.broker.call<Array<{ id: number }>, object>(
      "payment.deadLetters",
      { limit: 1 },
    );
    await system.broker.call("payment.replayDeadLetter", { id: letter!.id });
    await eventually(async () => {
      ({ samples } = await scrape());
      expect(
        valueOf(samples, "oms_dead_letters_replayed_total", {
          group: "payment-service",
          topic: Topics.paymentInitiate,
        }),
      ).toBe(1);
    });
  });
});
