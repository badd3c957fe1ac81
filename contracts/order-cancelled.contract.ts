import { defineContract } from "./contract";
import { Topics } from "./topics";
import { ISO_INSTANT, reasonSchema } from "./validator";

/** Event: the order service cancelled the order. Ends the saga (see docs/adr/0004). */
export interface OrderCancelled {
  orderId: string;
  reason: string;
  cancelledAt: string;
}

export const OrderCancelledContract = defineContract<OrderCancelled>({
  type: "OrderCancelled",
  version: 1,
  kind: "event",
  topic: Topics.orderCancelled,
  schema: {
    orderId: { type: "uuid" },
    reason: reasonSchema,
    cancelledAt: { type: "string", pattern: ISO_INSTANT },
  },
});
