import type { Money } from "../../shared/domain/money.value-object";

export type ChargeOutcome =
  { approved: true; reference: string } | { approved: false; reason: string };

/**
 * Whoever actually moves the money. `paymentId` is the idempotency key, and it is the same for
 * every attempt at one order's payment (see payment-id.ts): charging again after a crash or a
 * retried message must not take the money twice.
 */
export interface PaymentProvider {
  charge(request: { paymentId: string; orderId: string; amount: Money }): Promise<ChargeOutcome>;
}
