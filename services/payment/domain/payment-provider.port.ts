import type { Money } from "../../shared/domain/money.value-object";

export type ChargeOutcome =
  { approved: true; reference: string } | { approved: false; reason: string };

export interface ChargeRequest {
  /** The idempotency key: the same for every attempt at one order's payment (payment-id.ts). */
  paymentId: string;
  orderId: string;
  amount: Money;
}

/** What the provider knows about one idempotency key. */
export type ChargeStatus =
  | { state: "unknown" }
  | ({ state: "answered" } & ChargeOutcome)
  | { state: "released"; refunded: boolean };

/**
 * Whoever actually moves the money. Every call is idempotent by `paymentId`, so it is safe to
 * repeat after a crash, a timeout or a duplicate message. The payment service calls it outside
 * any database transaction of its own, and records what it answered afterwards.
 */
export interface PaymentProvider {
  /** Takes the money, or says why not. A key already charged answers as it did the first time. */
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  /** The answer the key got, if any: used after a crash left a payment PENDING. */
  status(paymentId: string): Promise<ChargeStatus>;
  /**
   * Makes sure no money stays taken under the key: refunds a charge that went through, and
   * refuses any charge still to come under it. `refunded` says whether money had been taken.
   */
  release(request: ChargeRequest): Promise<{ refunded: boolean }>;
}
