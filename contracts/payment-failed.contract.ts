import { defineContract } from "./contract";
import { Topics } from "./topics";
import { ISO_INSTANT, moneySchema, reasonSchema, type MoneyDto } from "./validator";

/** Event: the provider declined the payment; `reason` says why. */
export interface PaymentFailed {
  orderId: string;
  paymentId: string;
  amount: MoneyDto;
  reason: string;
  failedAt: string;
}

export const PaymentFailedContract = defineContract<PaymentFailed>({
  type: "PaymentFailed",
  version: 1,
  kind: "event",
  topic: Topics.paymentFailed,
  schema: {
    orderId: { type: "uuid" },
    paymentId: { type: "uuid" },
    amount: moneySchema,
    reason: reasonSchema,
    failedAt: { type: "string", pattern: ISO_INSTANT },
  },
});
