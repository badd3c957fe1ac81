import type { Sequelize, Transaction } from "sequelize";
import { storedMoney } from "../../shared/db/stored-money";
import { appendToOutbox } from "../../shared/messaging/outbox";
import { OrderSaga } from "../domain/order-saga.aggregate";
import type { OrderSagaRepository } from "../domain/order-saga.repository.port";
import type { SagaState } from "../domain/saga-state";
import type { SagaModels } from "./saga.models";
import { toOutboxMessage } from "./saga-messages.mapper";

export class SequelizeOrderSagaRepository implements OrderSagaRepository {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly models: SagaModels,
    private readonly transaction: Transaction,
    private readonly causationId: string,
  ) {}

  async findByOrderId(orderId: string): Promise<OrderSaga | null> {
    const record = await this.models.Saga.findByPk(orderId, {
      transaction: this.transaction,
      lock: this.transaction.LOCK.UPDATE,
    });
    if (!record) return null;
    return OrderSaga.restore({
      orderId: record.orderId,
      state: record.state as SagaState,
      amount: storedMoney(record.amountMinor, record.currency, `saga ${orderId}`),
      failureReason: record.failureReason,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    });
  }

  async add(saga: OrderSaga): Promise<void> {
    await this.models.Saga.create(
      {
        orderId: saga.orderId,
        state: saga.state,
        amountMinor: saga.amount.minor,
        currency: saga.amount.currency,
        failureReason: saga.failureReason,
        createdAt: saga.createdAt,
        updatedAt: saga.updatedAt,
      },
      { transaction: this.transaction },
    );
    await this.writeHistoryAndCommands(saga);
  }

  async save(saga: OrderSaga): Promise<void> {
    await this.models.Saga.update(
      { state: saga.state, failureReason: saga.failureReason, updatedAt: saga.updatedAt },
      { where: { orderId: saga.orderId }, transaction: this.transaction },
    );
    await this.writeHistoryAndCommands(saga);
  }

  private async writeHistoryAndCommands(saga: OrderSaga): Promise<void> {
    await this.models.SagaTransition.bulkCreate(
      saga.pullTransitions().map((transition) => ({
        orderId: saga.orderId,
        fromState: transition.from,
        toState: transition.to,
        occurredAt: transition.at,
        causationId: transition.causationId,
        note: transition.note,
      })),
      { transaction: this.transaction },
    );
    const messages = saga
      .pullCommands()
      .map((command) => toOutboxMessage(command, this.causationId, saga.updatedAt));
    await appendToOutbox(this.sequelize, this.transaction, messages);
  }
}
