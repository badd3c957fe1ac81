import { storedMoney } from "../../shared/db/stored-money";
import type { PaymentView } from "../application/get-payment/payment.view";
import type { PaymentRecord } from "./payment.models";

export function toPaymentView(record: PaymentRecord): PaymentView {
  const amount = storedMoney(record.amountMinor, record.currency, `payment ${record.id}`);
  return {
    paymentId: record.id,
    orderId: record.orderId,
    status: record.status,
    amount: amount.toDecimalString(),
    currency: record.currency,
    providerReference: record.providerReference,
    failureReason: record.failureReason,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}
