import type { Money } from "../../shared/domain/money.value-object";

/** What the saga asks other services to do; mapped to wire contracts in infrastructure. */
export type SagaCommand =
  | { type: "InitiatePayment"; orderId: string; amount: Money }
  | { type: "ApproveOrder"; orderId: string }
  | { type: "RejectOrder"; orderId: string; reason: string }
  | { type: "CancelPayment"; orderId: string; amount: Money; reason: string };
