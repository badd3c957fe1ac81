import { DomainError } from "../../shared/domain/domain-error";

/** Stable codes for the order context; the gateway maps them to HTTP statuses. */
export const OrderErrorCode = {
  NotFound: "ORDER_NOT_FOUND",
  InvalidOrder: "INVALID_ORDER",
  InvalidProduct: "INVALID_PRODUCT",
  InvalidQuantity: "INVALID_QUANTITY",
  InvalidPrice: "INVALID_PRICE",
  IllegalTransition: "ILLEGAL_ORDER_TRANSITION",
  AlreadyEnded: "ORDER_ALREADY_ENDED",
  IdempotencyKeyReused: "IDEMPOTENCY_KEY_REUSED",
} as const;

export const orderNotFound = (orderId: string) =>
  new DomainError(OrderErrorCode.NotFound, `order ${orderId} was not found`);

export const illegalOrderTransition = (orderId: string, from: string, to: string) =>
  new DomainError(
    OrderErrorCode.IllegalTransition,
    `order ${orderId} is ${from} and cannot become ${to}`,
  );

export const orderAlreadyEnded = (orderId: string, status: string) =>
  new DomainError(
    OrderErrorCode.AlreadyEnded,
    `order ${orderId} is already ${status} and can no longer be cancelled`,
  );

/**
 * An order that breaks a rule of its own. `details` names the fields of the command that placed
 * it (`items`, `items[2].price`), so the caller can point at what to fix.
 */
export const invalidOrder = (message: string, details: Record<string, string>) =>
  new DomainError(OrderErrorCode.InvalidOrder, message, details);

export const invalidProduct = () =>
  new DomainError(OrderErrorCode.InvalidProduct, "productId must not be blank");

export const invalidQuantity = (max: number) =>
  new DomainError(
    OrderErrorCode.InvalidQuantity,
    `quantity must be a whole number from 1 to ${max}`,
  );

export const invalidPrice = (message: string) =>
  new DomainError(OrderErrorCode.InvalidPrice, message);

export const idempotencyKeyReused = () =>
  new DomainError(
    OrderErrorCode.IdempotencyKeyReused,
    "this Idempotency-Key was already used with a different request body",
  );
