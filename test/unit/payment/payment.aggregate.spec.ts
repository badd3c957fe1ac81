import { Payment } from "../../../services/payment/domain/payment.aggregate";
import { PaymentStatus } from "../../../services/payment/domain/payment-status";
import { inr } from "../support/money";
import { unwrap, unwrapError } from "../support/result";

const NOW = new Date("2025-01-01T10:00:00.000Z");
const LATER = new Date("2025-01-01T10:00:01.000Z");
const pending = () =>
  Payment.initiate({ id: "pay-1", orderId: "order-1", amount: inr(99900), now: NOW });
const inState = (status: PaymentStatus, failureReason: string | null = null) =>
  Payment.restore({
    id: "pay-1",
    orderId: "order-1",
    amount: inr(99900),
    status,
    providerReference: null,
    failureReason,
    createdAt: NOW,
    updatedAt: NOW,
  });

describe("Payment", () => {
  it("starts PENDING, waiting for the provider, with no event yet", () => {
    const payment = pending();
    expect(payment.status).toBe("PENDING");
    expect(payment.awaitsProvider).toBe(true);
    expect(payment.pullMessages()).toEqual([]);
  });

  it("an approved charge completes it with the provider's reference and PaymentCompleted", () => {
    const payment = pending();
    expect(unwrap(payment.recordCharge({ approved: true, reference: "ref-1" }, LATER))).toBe(
      "applied",
    );
    expect(payment.status).toBe("COMPLETED");
    expect(payment.providerReference).toBe("ref-1");
    expect(payment.awaitsProvider).toBe(false);
    expect(payment.pullMessages()).toEqual([
      expect.objectContaining({ type: "PaymentCompleted", orderId: "order-1", at: LATER }),
    ]);
  });

  it("a declined charge fails it with the reason and PaymentFailed", () => {
    const payment = pending();
    unwrap(payment.recordCharge({ approved: false, reason: "card declined" }, LATER));
    expect(payment.status).toBe("FAILED");
    expect(payment.failureReason).toBe("card declined");
    expect(payment.pullMessages()).toEqual([
      expect.objectContaining({ type: "PaymentFailed", reason: "card declined" }),
    ]);
  });

  it("a charge answer that arrives once the payment is being cancelled is ignored", () => {
    const payment = inState(PaymentStatus.Cancelling, "payment timed out");
    expect(unwrap(payment.recordCharge({ approved: true, reference: "ref-1" }, LATER))).toBe(
      "unchanged",
    );
    expect(payment.status).toBe("CANCELLING");
    expect(payment.pullMessages()).toEqual([]);
  });

  it("cancelling a PENDING payment waits for the provider to release the key", () => {
    const payment = pending();
    expect(unwrap(payment.cancel("payment timed out", LATER))).toBe("applied");
    expect(payment.status).toBe("CANCELLING");
    expect(payment.awaitsProvider).toBe(true);
    expect(payment.pullMessages()).toEqual([]);
  });

  it("cancelling a COMPLETED payment refunds it", () => {
    const payment = inState(PaymentStatus.Completed);
    unwrap(payment.cancel("order cancelled", LATER));
    expect(payment.status).toBe("REFUNDING");
    unwrap(payment.recordRelease(true, LATER));
    expect(payment.status).toBe("REFUNDED");
    expect(payment.pullMessages()).toEqual([
      expect.objectContaining({ type: "PaymentRefunded", reason: "order cancelled" }),
    ]);
  });

  it("a release that finds no charge ends CANCELLED; one that finds a charge ends REFUNDED", () => {
    const notCharged = inState(PaymentStatus.Cancelling, "payment timed out");
    unwrap(notCharged.recordRelease(false, LATER));
    expect(notCharged.status).toBe("CANCELLED");
    expect(notCharged.pullMessages().map((e) => e.type)).toEqual(["PaymentCancelled"]);

    const chargedMeanwhile = inState(PaymentStatus.Cancelling, "payment timed out");
    unwrap(chargedMeanwhile.recordRelease(true, LATER));
    expect(chargedMeanwhile.status).toBe("REFUNDED");
    expect(chargedMeanwhile.pullMessages().map((e) => e.type)).toEqual(["PaymentRefunded"]);
  });

  it("a cancel before the payment exists records it CANCELLED, with PaymentCancelled", () => {
    const payment = Payment.cancelledBeforeInitiation({
      id: "pay-1",
      orderId: "order-1",
      amount: inr(99900),
      reason: "payment timed out",
      now: NOW,
    });
    expect(payment.status).toBe("CANCELLED");
    expect(payment.awaitsProvider).toBe(false);
    expect(payment.pullMessages()).toEqual([
      expect.objectContaining({ type: "PaymentCancelled", reason: "payment timed out" }),
    ]);
  });

  test.each([
    [PaymentStatus.Cancelled, "PaymentCancelled"],
    [PaymentStatus.Failed, "PaymentCancelled"],
    [PaymentStatus.Refunded, "PaymentRefunded"],
  ])("a cancel that finds it %s answers again with %s and changes nothing", (status, event) => {
    const payment = inState(status, "some reason");
    expect(unwrap(payment.cancel("again", LATER))).toBe("unchanged");
    expect(payment.status).toBe(status);
    expect(payment.pullMessages().map((e) => e.type)).toEqual([event]);
  });

  test.each([PaymentStatus.Cancelling, PaymentStatus.Refunding])(
    "a cancel that finds it %s (release under way) does nothing",
    (status) => {
      const payment = inState(status, "some reason");
      expect(unwrap(payment.cancel("again", LATER))).toBe("unchanged");
      expect(payment.pullMessages()).toEqual([]);
    },
  );

  it("a release is recorded only on a payment being cancelled", () => {
    expect(unwrapError(pending().recordRelease(false, LATER)).code).toBe(
      "PAYMENT_NOT_BEING_CANCELLED",
    );
  });
});
