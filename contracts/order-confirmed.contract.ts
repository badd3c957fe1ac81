import { defineContract } from "./contract";
import { Topics } from "./topics";
import { ISO_INSTANT } from "./validator";

/** Event: the order service confirmed the order. Ends the saga (see docs/adr/0004). */
export interface OrderConfirmed {
  orderId: string;
  confirmedAt: string;
}

export const OrderConfirmedContract = defineContract<OrderConfirmed>({
  type: "OrderConfirmed",
  version: 1,
  kind: "event",
  topic: Topics.orderConfirmed,
  schema: {
    orderId: { type: "uuid" },
    confirmedAt: { type: "string", pattern: ISO_INSTANT },
  },
});
