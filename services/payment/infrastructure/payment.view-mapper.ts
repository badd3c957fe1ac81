import { Money } from "../../shared/domain/money.value-object";
import type { PaymentView } from "../application/get-payment/payment.view";
import type { PaymentRecord } from "./payment.models";

export function toPaymentView(record: PaymentRecord): PaymentView {
  const amount = Money.create(Number(record.amountMinor), record.currency);
  if (!amount.ok) throw new Error(`stored payment ${record.id} has an invalid amount`);
  return {
    paymentId: record.id,
    orderId: record.orderId,
    status: record.status,
    amount: amount.value.toDecimalString(),
    currency: record.currency,
    providerReference: record.providerReference,
    failureReason: record.failureReason,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}
