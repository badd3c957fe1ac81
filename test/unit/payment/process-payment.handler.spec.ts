import { paymentIdFor } from "../../../services/payment/application/process-payment/payment-id";
import { ProcessPaymentHandler } from "../../../services/payment/application/process-payment/process-payment.handler";
import { Payment } from "../../../services/payment/domain/payment.aggregate";
import { SimulatedPaymentProvider } from "../../../services/payment/infrastructure/simulated-payment.provider";
import { InMemoryPaymentRepository } from "../support/in-memory-payment.repository";
import { inr } from "../support/money";
import { RecordingPaymentProvider } from "../support/recording-payment.provider";
import { unwrap, unwrapError } from "../support/result";

const NOW = new Date("2025-01-01T10:00:00.000Z");
const command = (amountMinor = 99900, currency = "INR") => ({
  orderId: "order-1",
  amount: { amountMinor, currency },
});

function setUp(outcome: ConstructorParameters<typeof RecordingPaymentProvider>[0]) {
  const provider = new RecordingPaymentProvider(outcome);
  return {
    provider,
    payments: new InMemoryPaymentRepository(),
    handler: new ProcessPaymentHandler(provider, () => NOW),
  };
}

describe("ProcessPaymentHandler (InitiatePayment)", () => {
  it("creates the order's payment, charges it once and stores it COMPLETED", async () => {
    const { provider, payments, handler } = setUp({ approved: true, reference: "ref-1" });
    expect(unwrap(await handler.execute(command(), payments))).toBe("completed");

    expect(provider.charges).toEqual([
      { paymentId: expect.any(String), orderId: "order-1", amount: inr(99900) },
    ]);
    const stored = await payments.findByOrderId("order-1");
    expect(stored?.status).toBe("COMPLETED");
    expect(stored?.providerReference).toBe("ref-1");
    expect(payments.outbox.map((event) => event.type)).toEqual(["PaymentCompleted"]);
  });

  it("a duplicate command finds the settled payment: duplicate, provider not called again", async () => {
    const { provider, payments, handler } = setUp({ approved: true, reference: "ref-1" });
    await handler.execute(command(), payments);
    expect(unwrap(await handler.execute(command(), payments))).toBe("duplicate");
    expect(provider.charges).toHaveLength(1);
    expect(payments.size).toBe(1);
    expect(payments.outbox).toHaveLength(1);
  });

  it("a declined charge stores the payment FAILED with the provider's reason", async () => {
    const { payments, handler } = setUp({ approved: false, reason: "card declined" });
    expect(unwrap(await handler.execute(command(), payments))).toBe("failed");
    const stored = await payments.findByOrderId("order-1");
    expect(stored?.status).toBe("FAILED");
    expect(stored?.failureReason).toBe("card declined");
    expect(payments.outbox).toEqual([
      expect.objectContaining({ type: "PaymentFailed", reason: "card declined" }),
    ]);
  });

  it("a duplicate after a decline is duplicate and does not charge again", async () => {
    const { provider, payments, handler } = setUp({ approved: false, reason: "card declined" });
    await handler.execute(command(), payments);
    expect(unwrap(await handler.execute(command(), payments))).toBe("duplicate");
    expect(provider.charges).toHaveLength(1);
  });

  it("finds an existing pending payment instead of creating a second one", async () => {
    const { provider, payments, handler } = setUp({ approved: true, reference: "ref-1" });
    payments.seed(
      Payment.initiate({ id: "pay-1", orderId: "order-1", amount: inr(99900), now: NOW }),
    );
    expect(unwrap(await handler.execute(command(), payments))).toBe("completed");
    expect(payments.calls.add).toBe(0);
    expect(provider.charges[0]?.paymentId).toBe("pay-1");
  });

  it("refuses a command whose amount differs from the pending payment, charging nothing", async () => {
    const { provider, payments, handler } = setUp({ approved: true, reference: "ref-1" });
    payments.seed(
      Payment.initiate({ id: "pay-1", orderId: "order-1", amount: inr(99900), now: NOW }),
    );
    expect(unwrapError(await handler.execute(command(100000), payments)).code).toBe(
      "PAYMENT_AMOUNT_MISMATCH",
    );
    expect(provider.charges).toEqual([]);
    expect((await payments.findByOrderId("order-1"))?.status).toBe("PENDING");
  });

  it("a concurrent duplicate that stored the payment first makes this one duplicate", async () => {
    const { provider, payments, handler } = setUp({ approved: true, reference: "ref-1" });
    payments.beforeAdd = async () => {
      payments.beforeAdd = null;
      payments.seed(
        Payment.initiate({ id: "pay-0", orderId: "order-1", amount: inr(99900), now: NOW }),
      );
    };
    expect(unwrap(await handler.execute(command(), payments))).toBe("duplicate");
    expect(provider.charges).toEqual([]);
    expect(payments.size).toBe(1);
  });

  it.each([
    ["a float amount", 999.5, "INR", "INVALID_MONEY"],
    ["a lower-case currency", 99900, "inr", "INVALID_CURRENCY"],
  ])("refuses %s before touching storage", async (_, minor, currency, code) => {
    const { provider, payments, handler } = setUp({ approved: true, reference: "ref-1" });
    expect(unwrapError(await handler.execute(command(minor, currency), payments)).code).toBe(code);
    expect(payments.calls.add).toBe(0);
    expect(provider.charges).toEqual([]);
  });

  it("with the simulated provider, 100000.01 INR ends FAILED with a reason naming the limit", async () => {
    const payments = new InMemoryPaymentRepository();
    const handler = new ProcessPaymentHandler(
      new SimulatedPaymentProvider(inr(10_000_000)),
      () => NOW,
    );
    expect(unwrap(await handler.execute(command(10_000_001), payments))).toBe("failed");
    expect((await payments.findByOrderId("order-1"))?.failureReason).toMatch(
      /100000\.01 INR.*100000\.00 INR/,
    );
  });
});

describe("paymentIdFor", () => {
  it("gives one order the same payment id on every attempt, and different orders different ids", () => {
    const first = paymentIdFor("6f1c8a3e-1d2b-4c5a-9e7f-0a1b2c3d4e5f");
    expect(first).toBe(paymentIdFor("6f1c8a3e-1d2b-4c5a-9e7f-0a1b2c3d4e5f"));
    expect(first).not.toBe(paymentIdFor("7f1c8a3e-1d2b-4c5a-9e7f-0a1b2c3d4e5f"));
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
