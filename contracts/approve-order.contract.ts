import { defineContract } from "./contract";
import { Topics } from "./topics";

/** Command from the saga: the payment went through, confirm the order. */
export interface ApproveOrder {
  orderId: string;
}

export const ApproveOrderContract = defineContract<ApproveOrder>({
  type: "ApproveOrder",
  version: 1,
  kind: "command",
  topic: Topics.orderApprove,
  schema: {
    orderId: { type: "uuid" },
  },
});
