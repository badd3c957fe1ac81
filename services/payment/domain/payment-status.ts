/**
 * PENDING: the charge is decided and committed, the provider not yet asked (or not yet answered).
 * CANCELLING / REFUNDING: the order will not be fulfilled; the provider is to release the money.
 * The others are final.
 */
export const PaymentStatus = {
  Pending: "PENDING",
  Completed: "COMPLETED",
  Failed: "FAILED",
  Cancelling: "CANCELLING",
  Cancelled: "CANCELLED",
  Refunding: "REFUNDING",
  Refunded: "REFUNDED",
} as const;

export type PaymentStatus = (typeof PaymentStatus)[keyof typeof PaymentStatus];

/** States in which the payment waits for a call to the provider. */
export const AWAITING_PROVIDER: readonly PaymentStatus[] = [
  PaymentStatus.Pending,
  PaymentStatus.Cancelling,
  PaymentStatus.Refunding,
];
