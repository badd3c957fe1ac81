import { storedMoney } from "../../shared/db/stored-money";
import type { SagaView } from "../application/get-saga/saga.view";
import { FINAL_SAGA_STATES, type SagaState } from "../domain/saga-state";
import type { SagaRecord } from "./saga.models";

export function toSagaView(record: SagaRecord): SagaView {
  const amount = storedMoney(record.amountMinor, record.currency, `saga ${record.orderId}`);
  return {
    orderId: record.orderId,
    state: record.state,
    amount: amount.toDecimalString(),
    currency: record.currency,
    failureReason: record.failureReason,
    finished: FINAL_SAGA_STATES.includes(record.state as SagaState),
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    transitions: (record.transitions ?? []).map((transition) => ({
      from: transition.fromState,
      to: transition.toState,
      at: transition.occurredAt.toISOString(),
      causationId: transition.causationId,
      note: transition.note,
    })),
  };
}
