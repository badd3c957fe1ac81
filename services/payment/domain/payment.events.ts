import type { Money } from "../../shared/domain/money.value-object";

export type PaymentEvent =
  | { type: "PaymentCompleted"; paymentId: string; orderId: string; amount: Money; at: Date }
  | {
      type: "PaymentFailed";
      paymentId: string;
      orderId: string;
      amount: Money;
      reason: string;
      at: Date;
    };
