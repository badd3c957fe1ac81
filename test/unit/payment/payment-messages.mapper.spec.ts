import { decodeMessage } from "../../../contracts/decode";
import { PaymentFailedContract } from "../../../contracts/payment-failed.contract";
import { toOutboxMessage } from "../../../services/payment/infrastructure/payment-messages.mapper";
import { inr } from "../support/money";

const ORDER_ID = "3f1c2a9e-8d4b-4c6a-9f2e-1a2b3c4d5e6f";
const PAYMENT_ID = "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d";
const AT = new Date("2025-01-01T10:00:05.000Z");

describe("payment events → contracts", () => {
  it("PaymentCompleted goes to payment.completed keyed by orderId", () => {
    const message = toOutboxMessage(
      {
        type: "PaymentCompleted",
        paymentId: PAYMENT_ID,
        orderId: ORDER_ID,
        amount: inr(99900),
        at: AT,
      },
      "m-1",
    );
    expect(message).toMatchObject({
      topic: "payment.completed",
      key: ORDER_ID,
      envelope: {
        type: "PaymentCompleted",
        payload: {
          orderId: ORDER_ID,
          paymentId: PAYMENT_ID,
          amount: { amountMinor: 99900, currency: "INR" },
        },
      },
    });
  });

  it("PaymentFailed carries the reason and decodes on payment.failed", () => {
    const message = toOutboxMessage(
      {
        type: "PaymentFailed",
        paymentId: PAYMENT_ID,
        orderId: ORDER_ID,
        amount: inr(99900),
        reason: "declined",
        at: AT,
      },
      "m-1",
    );
    expect(message.topic).toBe("payment.failed");
    const decoded = decodeMessage(JSON.stringify(message.envelope), PaymentFailedContract);
    expect(decoded.ok && decoded.envelope.payload).toEqual({
      orderId: ORDER_ID,
      paymentId: PAYMENT_ID,
      amount: { amountMinor: 99900, currency: "INR" },
      reason: "declined",
      failedAt: AT.toISOString(),
    });
  });
});
