import { defineContract } from "./contract";
import { Topics } from "./topics";
import { moneySchema, type MoneyDto } from "./validator";

/** Command from the saga: take payment for this order. */
export interface InitiatePayment {
  orderId: string;
  amount: MoneyDto;
}

export const InitiatePaymentContract = defineContract<InitiatePayment>({
  type: "InitiatePayment",
  version: 1,
  kind: "command",
  topic: Topics.paymentInitiate,
  schema: {
    orderId: { type: "uuid" },
    amount: moneySchema,
  },
});
