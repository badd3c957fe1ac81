import { defineContract } from "./contract";
import { Topics } from "./topics";
import { ISO_INSTANT, moneySchema, reasonSchema, type MoneyDto } from "./validator";

/** Event: the payment was cancelled before any money was taken (or it had been declined). */
export interface PaymentCancelled {
  orderId: string;
  paymentId: string;
  amount: MoneyDto;
  reason: string;
  cancelledAt: string;
}

export const PaymentCancelledContract = defineContract<PaymentCancelled>({
  type: "PaymentCancelled",
  version: 1,
  kind: "event",
  topic: Topics.paymentCancelled,
  schema: {
    orderId: { type: "uuid" },
    paymentId: { type: "uuid" },
    amount: moneySchema,
    reason: reasonSchema,
    cancelledAt: { type: "string", pattern: ISO_INSTANT },
  },
});
