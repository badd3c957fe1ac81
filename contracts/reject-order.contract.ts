import { defineContract } from "./contract";
import { Topics } from "./topics";
import { reasonSchema } from "./validator";

/** Command from the saga: the payment failed, cancel the order with this reason. */
export interface RejectOrder {
  orderId: string;
  reason: string;
}

export const RejectOrderContract = defineContract<RejectOrder>({
  type: "RejectOrder",
  version: 1,
  kind: "command",
  topic: Topics.orderReject,
  schema: {
    orderId: { type: "uuid" },
    reason: reasonSchema,
  },
});
