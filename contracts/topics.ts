/** Business topics. Every message is keyed by orderId, so one order's messages stay in order. */
export const Topics = {
  orderCreated: "order.created",
  paymentInitiate: "payment.initiate",
  paymentCompleted: "payment.completed",
  paymentFailed: "payment.failed",
  paymentCancel: "payment.cancel",
  paymentCancelled: "payment.cancelled",
  paymentRefunded: "payment.refunded",
  orderApprove: "order.approve",
  orderReject: "order.reject",
  orderConfirmed: "order.confirmed",
  orderCancelled: "order.cancelled",
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

export const ALL_TOPICS: readonly Topic[] = Object.values(Topics);

export const DEAD_LETTER_SUFFIX = ".DLT";

/** Where a consumer parks a message it cannot process: `<topic>.DLT`. */
export function deadLetterTopicOf(topic: string): string {
  return `${topic}${DEAD_LETTER_SUFFIX}`;
}
