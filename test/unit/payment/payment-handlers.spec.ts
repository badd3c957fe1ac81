import { CancelPaymentHandler } from "../../../services/payment/application/cancel-payment/cancel-payment.handler";
import { InitiatePaymentHandler } from "../../../services/payment/application/initiate-payment/initiate-payment.handler";
import { paymentIdFor } from "../../../services/payment/application/payment-id";
import {
  askProvider,
  recordAnswer,
  type ClaimedPayment,
} from "../../../services/payment/application/settle-payment/settle-payment";
import type { Payment } from "../../../services/payment/domain/payment.aggregate";
import { InMemoryPaymentRepository } from "../support/in-memory-payment.repository";
import { RecordingPaymentProvider } from "../support/recording-payment.provider";
import { unwrap, unwrapError } from "../support/result";

const NOW = new Date("2025-01-01T10:00:00.000Z");
const ORDER = "order-1";
const initiate = { orderId: ORDER, amount: { amountMinor: 99900, currency: "INR" } };
const cancel = { ...initiate, reason: "payment timed out" };

const initiatePayment = new InitiatePaymentHandler(() => NOW);
const cancelPayment = new CancelPaymentHandler(() => NOW);

function claimOf(payment: Payment, attempt = 1): ClaimedPayment {
  return {
    paymentId: payment.id,
    orderId: payment.orderId,
    amount: payment.amount,
    status: payment.status,
    attempt,
  };
}

/** One settler pass over the order's payment: ask the provider, record the answer. */
async function settle(
  payments: InMemoryPaymentRepository,
  provider: RecordingPaymentProvider,
  attempt = 1,
) {
  const payment = (await payments.findByOrderId(ORDER))!;
  const answer = await askProvider(provider, claimOf(payment, attempt));
  return recordAnswer(payments, ORDER, answer, NOW);
}

describe("InitiatePayment: the decision to charge is recorded before any charge", () => {
  it("given no payment, records it PENDING and calls no provider", async () => {
    const payments = new InMemoryPaymentRepository();
    expect(unwrap(await initiatePayment.execute(initiate, payments))).toBe("applied");
    const stored = await payments.findByOrderId(ORDER);
    expect(stored?.status).toBe("PENDING");
    expect(stored?.id).toBe(paymentIdFor(ORDER));
    expect(payments.outbox).toEqual([]);
  });

  it("given the payment exists, a duplicate command changes nothing", async () => {
    const payments = new InMemoryPaymentRepository();
    await initiatePayment.execute(initiate, payments);
    expect(unwrap(await initiatePayment.execute(initiate, payments))).toBe("unchanged");
    expect(payments.size).toBe(1);
  });

  it("given a payment for another amount, refuses the command", async () => {
    const payments = new InMemoryPaymentRepository();
    await initiatePayment.execute(initiate, payments);
    const other = { orderId: ORDER, amount: { amountMinor: 1, currency: "INR" } };
    expect(unwrapError(await initiatePayment.execute(other, payments)).code).toBe(
      "PAYMENT_AMOUNT_MISMATCH",
    );
  });
});

describe("settling: the provider is asked after the commit, and its answer recorded", () => {
  it("charges a PENDING payment once and completes it", async () => {
    const payments = new InMemoryPaymentRepository();
    const provider = new RecordingPaymentProvider({ approved: true, reference: "ref-1" });
    await initiatePayment.execute(initiate, payments);
    expect(unwrap(await settle(payments, provider))).toBe("applied");
    expect((await payments.findByOrderId(ORDER))?.status).toBe("COMPLETED");
    expect(payments.outbox.map((event) => event.type)).toEqual(["PaymentCompleted"]);
    expect(provider.count("charge")).toBe(1);
  });

  it("after a crash between charge and record, asks the provider instead of charging again", async () => {
    const payments = new InMemoryPaymentRepository();
    const provider = new RecordingPaymentProvider({ approved: true, reference: "ref-1" });
    await initiatePayment.execute(initiate, payments);
    // The first settler charged, then died before recording the answer.
    await provider.charge(claimOf((await payments.findByOrderId(ORDER))!));

    expect(unwrap(await settle(payments, provider, 2))).toBe("applied");
    expect((await payments.findByOrderId(ORDER))?.status).toBe("COMPLETED");
    expect(provider.count("charge")).toBe(1);
    expect(provider.count("status")).toBe(1);
  });

  it("a second claim that finds no answer at the provider charges", async () => {
    const payments = new InMemoryPaymentRepository();
    const provider = new RecordingPaymentProvider({ approved: false, reason: "card declined" });
    await initiatePayment.execute(initiate, payments);
    unwrap(await settle(payments, provider, 2));
    expect((await payments.findByOrderId(ORDER))?.status).toBe("FAILED");
    expect(provider.count("charge")).toBe(1);
  });
});

describe("CancelPayment: no money stays taken for an order that will not be fulfilled", () => {
  it("given a PENDING payment, it is never charged: the key is released, CANCELLED", async () => {
    const payments = new InMemoryPaymentRepository();
    const provider = new RecordingPaymentProvider({ approved: true, reference: "ref-1" });
    await initiatePayment.execute(initiate, payments);
    unwrap(await cancelPayment.execute(cancel, payments));
    unwrap(await settle(payments, provider));

    expect((await payments.findByOrderId(ORDER))?.status).toBe("CANCELLED");
    expect(provider.count("charge")).toBe(0);
    expect(payments.outbox.map((event) => event.type)).toEqual(["PaymentCancelled"]);
    // A settler that had claimed it as PENDING before the cancel is refused by the provider.
    expect(await provider.charge(claimOf((await payments.findByOrderId(ORDER))!))).toEqual(
      expect.objectContaining({ approved: false }),
    );
    expect(provider.holds(paymentIdFor(ORDER))).toBe(false);
  });

  it("given a charge in flight when the cancel arrives, the money is refunded: REFUNDED", async () => {
    const payments = new InMemoryPaymentRepository();
    const provider = new RecordingPaymentProvider({ approved: true, reference: "ref-1" });
    await initiatePayment.execute(initiate, payments);
    const claimedAsPending = claimOf((await payments.findByOrderId(ORDER))!);
    const chargeAnswer = await askProvider(provider, claimedAsPending); // charged...
    unwrap(await cancelPayment.execute(cancel, payments)); // ...then cancelled
    expect(unwrap(await recordAnswer(payments, ORDER, chargeAnswer, NOW))).toBe("unchanged");
    unwrap(await settle(payments, provider));

    expect((await payments.findByOrderId(ORDER))?.status).toBe("REFUNDED");
    expect(payments.outbox.map((event) => event.type)).toEqual(["PaymentRefunded"]);
    expect(provider.holds(paymentIdFor(ORDER))).toBe(false);
  });

  it("given a COMPLETED payment, refunds it: REFUNDED", async () => {
    const payments = new InMemoryPaymentRepository();
    const provider = new RecordingPaymentProvider({ approved: true, reference: "ref-1" });
    await initiatePayment.execute(initiate, payments);
    await settle(payments, provider);
    unwrap(await cancelPayment.execute(cancel, payments));
    unwrap(await settle(payments, provider));
    expect((await payments.findByOrderId(ORDER))?.status).toBe("REFUNDED");
    expect(payments.outbox.map((event) => event.type)).toEqual([
      "PaymentCompleted",
      "PaymentRefunded",
    ]);
    expect(provider.holds(paymentIdFor(ORDER))).toBe(false);
  });

  it("given no payment yet, records it CANCELLED; the late InitiatePayment charges nothing", async () => {
    const payments = new InMemoryPaymentRepository();
    const provider = new RecordingPaymentProvider({ approved: true, reference: "ref-1" });
    unwrap(await cancelPayment.execute(cancel, payments));
    expect(unwrap(await initiatePayment.execute(initiate, payments))).toBe("unchanged");
    const stored = (await payments.findByOrderId(ORDER))!;
    expect(stored.status).toBe("CANCELLED");
    expect(stored.awaitsProvider).toBe(false);
    expect(provider.calls).toEqual([]);
    expect(payments.outbox.map((event) => event.type)).toEqual(["PaymentCancelled"]);
  });
});
