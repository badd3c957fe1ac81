import { Payment } from "../../../services/payment/domain/payment.aggregate";
import { inr } from "../support/money";
import { unwrap, unwrapError } from "../support/result";

const CREATED = new Date("2025-01-01T10:00:00.000Z");
const SETTLED = new Date("2025-01-01T10:00:05.000Z");

const newPayment = () =>
  Payment.initiate({ id: "pay-1", orderId: "order-1", amount: inr(99900), now: CREATED });

describe("Payment", () => {
  it("starts PENDING, unsettled, with no event", () => {
    const payment = newPayment();
    expect(payment.status).toBe("PENDING");
    expect(payment.isSettled).toBe(false);
    expect(payment.amount.toString()).toBe("999.00 INR");
    expect(payment.pullEvents()).toEqual([]);
  });

  it("completes with the provider reference and raises PaymentCompleted once", () => {
    const payment = newPayment();
    unwrap(payment.complete("sim-order-1", SETTLED));
    expect(payment.status).toBe("COMPLETED");
    expect(payment.isSettled).toBe(true);
    expect(payment.providerReference).toBe("sim-order-1");
    expect(payment.updatedAt).toEqual(SETTLED);
    expect(payment.pullEvents()).toEqual([
      {
        type: "PaymentCompleted",
        paymentId: "pay-1",
        orderId: "order-1",
        amount: inr(99900),
        at: SETTLED,
      },
    ]);
    expect(payment.pullEvents()).toEqual([]);
  });

  it("fails with the reason and raises PaymentFailed once", () => {
    const payment = newPayment();
    unwrap(payment.fail("card declined", SETTLED));
    expect(payment.status).toBe("FAILED");
    expect(payment.failureReason).toBe("card declined");
    expect(payment.pullEvents()).toEqual([
      {
        type: "PaymentFailed",
        paymentId: "pay-1",
        orderId: "order-1",
        amount: inr(99900),
        reason: "card declined",
        at: SETTLED,
      },
    ]);
  });

  it.each([
    ["complete a completed payment", "complete", "complete"],
    ["fail a completed payment", "complete", "fail"],
    ["complete a failed payment", "fail", "complete"],
    ["fail a failed payment", "fail", "fail"],
  ] as const)("refuses to %s with PAYMENT_ALREADY_SETTLED", (_, first, second) => {
    const payment = newPayment();
    const settle = (action: "complete" | "fail") =>
      action === "complete" ? payment.complete("ref", SETTLED) : payment.fail("no", SETTLED);
    unwrap(settle(first));
    payment.pullEvents();
    const statusBefore = payment.status;

    expect(unwrapError(settle(second)).code).toBe("PAYMENT_ALREADY_SETTLED");
    expect(payment.status).toBe(statusBefore);
    expect(payment.pullEvents()).toEqual([]);
  });
});
