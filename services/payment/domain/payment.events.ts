import type { Money } from "../../shared/domain/money.value-object";

interface PaymentFact {
  paymentId: string;
  orderId: string;
  amount: Money;
  at: Date;
}

export type PaymentEvent =
  | ({ type: "PaymentCompleted" } & PaymentFact)
  | ({ type: "PaymentFailed"; reason: string } & PaymentFact)
  | ({ type: "PaymentCancelled"; reason: string } & PaymentFact)
  | ({ type: "PaymentRefunded"; reason: string } & PaymentFact);
