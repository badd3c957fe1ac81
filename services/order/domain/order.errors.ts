import { DomainError } from "../../shared/domain/domain-error";

/** Stable codes for the order context; the gateway maps them to HTTP statuses. */
export const OrderErrorCode = {
  NotFound: "ORDER_NOT_FOUND",
  InvalidOrder: "INVALID_ORDER",
  IllegalTransition: "ILLEGAL_ORDER_TRANSITION",
  IdempotencyKeyReused: "IDEMPOTENCY_KEY_REUSED",
} as const;

export const orderNotFound = (orderId: string) =>
  new DomainError(OrderErrorCode.NotFound, `order ${orderId} was not found`);

export const illegalOrderTransition = (orderId: string, from: string, to: string) =>
  new DomainError(
    OrderErrorCode.IllegalTransition,
    `order ${orderId} is ${from} and cannot become ${to}`,
  );
