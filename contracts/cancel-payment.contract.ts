import { defineContract } from "./contract";
import { Topics } from "./topics";
import { moneySchema, reasonSchema, type MoneyDto } from "./validator";

/**
 * Command from the saga: the order will not be fulfilled, so no money may stay taken for it.
 * The payment service voids a charge still in flight or refunds one that went through, and
 * answers PaymentCancelled or PaymentRefunded. The saga sends it without knowing whether the
 * charge happened (it gave up waiting), so one command covers both (docs/adr/0011).
 * `amount` lets the payment service record the cancellation even when InitiatePayment has not
 * arrived yet (the two travel on different topics).
 */
export interface CancelPayment {
  orderId: string;
  amount: MoneyDto;
  reason: string;
}

export const CancelPaymentContract = defineContract<CancelPayment>({
  type: "CancelPayment",
  version: 1,
  kind: "command",
  topic: Topics.paymentCancel,
  schema: {
    orderId: { type: "uuid" },
    amount: moneySchema,
    reason: reasonSchema,
  },
});
