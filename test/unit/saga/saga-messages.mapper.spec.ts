import { OrderSaga } from "../../../services/saga/domain/saga.aggregate";
import { toOutboxMessage } from "../../../services/saga/infrastructure/saga-messages.mapper";
import { inr } from "../support/money";

const ORDER_ID = "3f1c2a9e-8d4b-4c6a-9f2e-1a2b3c4d5e6f";
const AT = new Date("2025-01-01T10:00:05.000Z");
/** The longest reason the PaymentFailed contract lets the payment service send. */
const LONGEST_PAYMENT_FAILED_REASON = "x".repeat(500);

const sagaAwaitingPayment = () =>
  OrderSaga.restore({
    orderId: ORDER_ID,
    state: "PAYMENT_INITIATED",
    amount: inr(99900),
    failureReason: null,
    createdAt: AT,
    updatedAt: AT,
  });

describe("saga commands → contracts", () => {
  it("InitiatePayment goes to payment.initiate with the amount in minor units", () => {
    const message = toOutboxMessage(
      { type: "InitiatePayment", orderId: ORDER_ID, amount: inr(99900) },
      "m-1",
      AT,
    );
    expect(message).toMatchObject({
      topic: "payment.initiate",
      key: ORDER_ID,
      envelope: {
        type: "InitiatePayment",
        causationId: "m-1",
        occurredAt: AT.toISOString(),
        payload: { orderId: ORDER_ID, amount: { amountMinor: 99900, currency: "INR" } },
      },
    });
  });

  it("ApproveOrder and RejectOrder go to the order service's command topics", () => {
    expect(toOutboxMessage({ type: "ApproveOrder", orderId: ORDER_ID }, "m", AT).topic).toBe(
      "order.approve",
    );
    expect(
      toOutboxMessage({ type: "RejectOrder", orderId: ORDER_ID, reason: "r" }, "m", AT).topic,
    ).toBe("order.reject");
  });

  // Regression: the saga prefixes "payment failed: " to a reason that may already be 500 long;
  // the mapper must fit it into RejectOrder's limit instead of failing the saga's transaction.
  it("a payment failure with the longest allowed reason still yields a valid RejectOrder", () => {
    const saga = sagaAwaitingPayment();
    saga.advance("PaymentFailed", { reason: LONGEST_PAYMENT_FAILED_REASON }, "m-1", AT);
    const [reject] = saga.pullMessages();
    expect(() => toOutboxMessage(reject!, "m-1", AT)).not.toThrow();
  });
});
