import { defineContract } from "./contract";
import { Topics } from "./topics";
import { ISO_INSTANT, moneySchema, type MoneyDto } from "./validator";

/** Event: the provider took the payment. */
export interface PaymentCompleted {
  orderId: string;
  paymentId: string;
  amount: MoneyDto;
  completedAt: string;
}

export const PaymentCompletedContract = defineContract<PaymentCompleted>({
  type: "PaymentCompleted",
  version: 1,
  kind: "event",
  topic: Topics.paymentCompleted,
  schema: {
    orderId: { type: "uuid" },
    paymentId: { type: "uuid" },
    amount: moneySchema,
    completedAt: { type: "string", pattern: ISO_INSTANT },
  },
});
