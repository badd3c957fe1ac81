/** One valid payload per contract type, as a producer would send it. */
export const ORDER_ID = "3f1c2a9e-8d4b-4c6a-9f2e-1a2b3c4d5e6f";
export const PAYMENT_ID = "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d";
const money = { amountMinor: 99900, currency: "INR" };
const at = "2025-01-01T10:00:00.000Z";

export const SAMPLE_PAYLOADS: Record<string, unknown> = {
  OrderCreated: {
    orderId: ORDER_ID,
    items: [{ productId: "p-1", quantity: 2, unitPrice: { amountMinor: 49950, currency: "INR" } }],
    total: money,
    createdAt: at,
  },
  InitiatePayment: { orderId: ORDER_ID, amount: money },
  PaymentCompleted: { orderId: ORDER_ID, paymentId: PAYMENT_ID, amount: money, completedAt: at },
  PaymentFailed: {
    orderId: ORDER_ID,
    paymentId: PAYMENT_ID,
    amount: money,
    reason: "amount 100000.01 INR exceeds the limit of 100000.00 INR",
    failedAt: at,
  },
  CancelPayment: { orderId: ORDER_ID, amount: money, reason: "payment timed out" },
  PaymentCancelled: {
    orderId: ORDER_ID,
    paymentId: PAYMENT_ID,
    amount: money,
    reason: "payment timed out",
    cancelledAt: at,
  },
  PaymentRefunded: {
    orderId: ORDER_ID,
    paymentId: PAYMENT_ID,
    amount: money,
    reason: "order cancelled",
    refundedAt: at,
  },
  ApproveOrder: { orderId: ORDER_ID },
  RejectOrder: { orderId: ORDER_ID, reason: "payment failed: card declined" },
  OrderConfirmed: { orderId: ORDER_ID, confirmedAt: at },
  OrderCancelled: { orderId: ORDER_ID, reason: "payment failed: card declined", cancelledAt: at },
};
