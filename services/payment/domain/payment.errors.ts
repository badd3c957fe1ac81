import { DomainError } from "../../shared/domain/domain-error";
import type { Money } from "../../shared/domain/money.value-object";

/** Stable codes for the payment context; the gateway maps them to HTTP statuses. */
export const PaymentErrorCode = {
  NotFound: "PAYMENT_NOT_FOUND",
  AmountMismatch: "PAYMENT_AMOUNT_MISMATCH",
  NotBeingCancelled: "PAYMENT_NOT_BEING_CANCELLED",
} as const;

export const paymentNotFound = (orderId: string) =>
  new DomainError(PaymentErrorCode.NotFound, `no payment for order ${orderId} yet`);

export const paymentAmountMismatch = (paymentId: string, stored: Money, asked: Money) =>
  new DomainError(
    PaymentErrorCode.AmountMismatch,
    `payment ${paymentId} is for ${stored}, not ${asked}`,
  );

export const paymentNotBeingCancelled = (paymentId: string, status: string) =>
  new DomainError(PaymentErrorCode.NotBeingCancelled, `payment ${paymentId} is ${status}`);
