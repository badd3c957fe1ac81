import type { Service } from "moleculer";
import createPaymentService from "../../services/payment/payment.service";
import { eventually } from "../support/eventually";
import { http, orderOf } from "../support/http";
import { ledgerOf } from "../support/oms-databases";
import { expectMoneyRight } from "../support/settled";
import { databasesOf, startTestSystem, type TestSystem } from "../support/test-system";

/**
 * The saga's payment deadline, end to end in one broker: with the payment service down the
 * order is cancelled when the deadline passes, and when the service comes back no money stays
 * taken for it. The provider's own ledger is the witness, not the payments table.
 */
jest.setTimeout(30_000);

const SAGA_ENV = { SAGA_PAYMENT_TIMEOUT_MS: "1000", SAGA_SWEEP_INTERVAL_MS: "100" };

async function placeOrder(system: TestSystem): Promise<string> {
  const created = await http(system.baseUrl, "POST", "/orders", { json: orderOf("p1", 1, 250) });
  expect(created.status).toBe(201);
  return created.body.orderId as string;
}

const get = async (system: TestSystem, path: string) => {
  const { status, body } = await http(system.baseUrl, "GET", path);
  expect(status).toBe(200);
  return body;
};

describe("the payment service is down past the saga's deadline", () => {
  const NAME = "deadline_down";
  let system: TestSystem;
  let orderId: string;

  beforeAll(async () => {
    system = await startTestSystem(NAME, { fresh: true, env: SAGA_ENV });
    await system.broker.destroyService(system.broker.getLocalService("payment") as Service);
    orderId = await placeOrder(system);
  });
  afterAll(() => system.stop());

  it("cancels the order with the reason 'payment timed out'", async () => {
    const order = await eventually(async () => {
      const body = await get(system, `/orders/${orderId}`);
      expect(body.status).toBe("CANCELLED");
      return body;
    });
    expect(order.cancellationReason).toBe("payment timed out");
    const saga = await eventually(async () => {
      const body = await get(system, `/orders/${orderId}/saga`);
      expect(body.state).toBe("COMPENSATING");
      return body;
    });
    expect(saga.finished).toBe(false);
  });

  it("when the payment service comes back, the payment ends CANCELLED, never charged", async () => {
    system.broker.createService(createPaymentService(system.broker));
    await system.broker.waitForServices(["payment"]);
    const payment = await eventually(async () => {
      const body = await get(system, `/orders/${orderId}/payment`);
      expect(["CANCELLED", "REFUNDED"]).toContain(body.status);
      return body;
    });
    const ledger = await ledgerOf(databasesOf(NAME), orderId);
    // Charged at most once, and nothing kept.
    expect(ledger.filter((row) => row.outcome === "CHARGED").length).toBeLessThanOrEqual(1);
    expect(ledger.filter((row) => row.outcome === "CHARGED" && !row.refunded)).toEqual([]);
    expect(payment.status).toBe(
      ledger.some((row) => row.outcome === "CHARGED") ? "REFUNDED" : "CANCELLED",
    );
    const saga = await eventually(async () => {
      const body = await get(system, `/orders/${orderId}/saga`);
      expect(body.state).toBe("COMPENSATED");
      return body;
    });
    expect(saga.finished).toBe(true);
    expect((await get(system, `/orders/${orderId}`)).status).toBe("CANCELLED");
  });
});

describe("the provider answers only after the saga gave up", () => {
  const NAME = "deadline_slow";
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem(NAME, {
      fresh: true,
      env: { ...SAGA_ENV, SAGA_PAYMENT_TIMEOUT_MS: "300", PAYMENT_PROVIDER_LATENCY_MS: "1500" },
    });
  });
  afterAll(() => system.stop());

  it("the charge that went through is refunded: REFUNDED, and the ledger nets to zero", async () => {
    const orderId = await placeOrder(system);
    const payment = await eventually(async () => {
      const body = await get(system, `/orders/${orderId}/payment`);
      expect(body.status).toBe("REFUNDED");
      return body;
    });
    expect(payment.failureReason).toBe("payment timed out");
    expect(await ledgerOf(databasesOf(NAME), orderId)).toEqual([
      { outcome: "CHARGED", refunded: true },
    ]);
    const order = await get(system, `/orders/${orderId}`);
    expect(order).toMatchObject({ status: "CANCELLED", cancellationReason: "payment timed out" });
    const saga = await eventually(async () => {
      const body = await get(system, `/orders/${orderId}/saga`);
      expect(body.state).toBe("COMPENSATED");
      return body;
    });
    expect((saga.transitions as Array<{ to: string }>).map((t) => t.to)).toEqual([
      "STARTED",
      "PAYMENT_INITIATED",
      "PAYMENT_TIMED_OUT",
      "COMPENSATING",
      "COMPENSATED",
    ]);
  });
});

describe("a payment that completes in time", () => {
  const NAME = "deadline_ok";
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem(NAME, { fresh: true });
  });
  afterAll(() => system.stop());

  it("is charged exactly once at the provider", async () => {
    const orderIds = await Promise.all(Array.from({ length: 20 }, () => placeOrder(system)));
    for (const orderId of orderIds) {
      await eventually(async () => {
        expect((await get(system, `/orders/${orderId}`)).status).toBe("CONFIRMED");
      });
    }
    // Charged once each, and kept: the deadline never fired on a payment that was on time.
    await expectMoneyRight(databasesOf(NAME), orderIds);
  });
});
