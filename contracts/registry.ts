import { ApproveOrderContract } from "./approve-order.contract";
import { CancelPaymentContract } from "./cancel-payment.contract";
import { RejectOrderContract } from "./reject-order.contract";
import type { MessageContract } from "./contract";
import { InitiatePaymentContract } from "./initiate-payment.contract";
import { OrderCancelledContract } from "./order-cancelled.contract";
import { OrderConfirmedContract } from "./order-confirmed.contract";
import { OrderCreatedContract } from "./order-created.contract";
import { PaymentCompletedContract } from "./payment-completed.contract";
import { PaymentCancelledContract } from "./payment-cancelled.contract";
import { PaymentFailedContract } from "./payment-failed.contract";
import { PaymentRefundedContract } from "./payment-refunded.contract";
import type { Topic } from "./topics";

export const ALL_CONTRACTS: readonly MessageContract<unknown>[] = [
  OrderCreatedContract,
  InitiatePaymentContract,
  PaymentCompletedContract,
  PaymentFailedContract,
  CancelPaymentContract,
  PaymentCancelledContract,
  PaymentRefundedContract,
  ApproveOrderContract,
  RejectOrderContract,
  OrderConfirmedContract,
  OrderCancelledContract,
] as MessageContract<unknown>[];

/** Each topic carries exactly one contract: the consumer knows what to expect before it reads. */
export function contractForTopic(topic: string): MessageContract<unknown> | undefined {
  return ALL_CONTRACTS.find((contract) => contract.topic === (topic as Topic));
}

export function contractForType(type: string): MessageContract<unknown> | undefined {
  return ALL_CONTRACTS.find((contract) => contract.type === type);
}
