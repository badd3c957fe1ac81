import { DomainError } from "../../shared/domain/domain-error";

/** Stable codes for the saga context; the gateway maps them to HTTP statuses. */
export const SagaErrorCode = {
  NotFound: "SAGA_NOT_FOUND",
  IllegalTransition: "ILLEGAL_SAGA_TRANSITION",
} as const;

export const sagaNotFound = (orderId: string) =>
  new DomainError(SagaErrorCode.NotFound, `no saga for order ${orderId} yet`);

export const illegalSagaTransition = (
  orderId: string,
  state: string,
  step: string,
  needs: string,
) =>
  new DomainError(
    SagaErrorCode.IllegalTransition,
    `saga ${orderId} is ${state}; ${step} needs ${needs}`,
  );
