import { ApproveOrderContract } from "../../../contracts/approve-order.contract";
import type { InitiatePayment } from "../../../contracts/initiate-payment.contract";
import { InitiatePaymentContract } from "../../../contracts/initiate-payment.contract";
import { outgoingMessage } from "../../../services/shared/messaging/outbox";

const ORDER_ID = "3f1c2a9e-8d4b-4c6a-9f2e-1a2b3c4d5e6f";
const context = { correlationId: ORDER_ID, causationId: "request-7" };

describe("outgoingMessage", () => {
  it("builds the row for the contract's topic, keyed by the correlation id", () => {
    const message = outgoingMessage(ApproveOrderContract, { orderId: ORDER_ID }, context);
    expect(message).toEqual({
      topic: "order.approve",
      key: ORDER_ID,
      envelope: expect.objectContaining({
        type: "ApproveOrder",
        version: 1,
        payload: { orderId: ORDER_ID },
      }),
    });
  });

  it("throws on a payload that breaks its own contract, naming the contract and the field", () => {
    const floatMoney = {
      orderId: ORDER_ID,
      amount: { amountMinor: 999.5, currency: "INR" },
    } as InitiatePayment;
    expect(() => outgoingMessage(InitiatePaymentContract, floatMoney, context)).toThrow(
      /InitiatePayment breaks its contract.*amount\.amountMinor/,
    );
  });
});
