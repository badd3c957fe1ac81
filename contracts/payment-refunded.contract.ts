import { defineContract } from "./contract";
import { Topics } from "./topics";
import { ISO_INSTANT, moneySchema, reasonSchema, type MoneyDto } from "./validator";

/** Event: the money taken for the order was given back in full. */
export interface PaymentRefunded {
  orderId: string;
  paymentId: string;
  amount: MoneyDto;
  reason: string;
  refundedAt: string;
}

export const PaymentRefundedContract = defineContract<PaymentRefunded>({
  type: "PaymentRefunded",
  version: 1,
  kind: "event",
  topic: Topics.paymentRefunded,
  schema: {
    orderId: { type: "uuid" },
    paymentId: { type: "uuid" },
    amount: moneySchema,
    reason: reasonSchema,
    refundedAt: { type: "string", pattern: ISO_INSTANT },
  },
});
