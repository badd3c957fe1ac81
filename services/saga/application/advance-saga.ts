import type { DomainError } from "../../shared/domain/domain-error";
import { err, type Result } from "../../shared/domain/result";
import type { OrderSaga, StepOutcome } from "../domain/order-saga.aggregate";
import type { OrderSagaRepository } from "../domain/order-saga.repository.port";
import { sagaNotFound } from "../domain/saga.errors";

/** Loads the order's saga, applies one step, and stores it if the step changed anything. */
export async function advanceSaga(
  sagas: OrderSagaRepository,
  orderId: string,
  step: (saga: OrderSaga) => Result<StepOutcome, DomainError>,
): Promise<Result<StepOutcome, DomainError>> {
  const saga = await sagas.findByOrderId(orderId);
  if (!saga) return err(sagaNotFound(orderId));
  const outcome = step(saga);
  if (outcome.ok && outcome.value === "applied") await sagas.save(saga);
  return outcome;
}
