import { UniqueConstraintError, type Sequelize, type Transaction } from "sequelize";
import { storedMoney } from "../../shared/db/stored-money";
import { appendToOutbox } from "../../shared/messaging/outbox";
import { Payment } from "../domain/payment.aggregate";
import type { PaymentRepository } from "../domain/payment.repository.port";
import type { PaymentStatus } from "../domain/payment-status";
import type { PaymentRecord } from "./payment.models";
import { toOutboxMessage } from "./payment-messages.mapper";

export class SequelizePaymentRepository implements PaymentRepository {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly model: typeof PaymentRecord,
    private readonly transaction: Transaction,
    private readonly causationId: string,
  ) {}

  async findByOrderId(orderId: string): Promise<Payment | null> {
    const record = await this.model.findOne({
      where: { orderId },
      transaction: this.transaction,
      lock: this.transaction.LOCK.UPDATE,
    });
    return record ? toDomain(record) : null;
  }

  async add(payment: Payment): Promise<"added" | "exists"> {
    try {
      // A savepoint, so losing the one-payment-per-order race leaves the transaction usable.
      await this.sequelize.transaction({ transaction: this.transaction }, async (savepoint) => {
        await this.model.create(
          {
            id: payment.id,
            orderId: payment.orderId,
            status: payment.status,
            amountMinor: payment.amount.minor,
            currency: payment.amount.currency,
            providerReference: payment.providerReference,
            failureReason: payment.failureReason,
            createdAt: payment.createdAt,
            updatedAt: payment.updatedAt,
          },
          { transaction: savepoint },
        );
      });
      return "added";
    } catch (error) {
      if (error instanceof UniqueConstraintError) return "exists";
      throw error;
    }
  }

  async save(payment: Payment): Promise<void> {
    await this.model.update(
      {
        status: payment.status,
        providerReference: payment.providerReference,
        failureReason: payment.failureReason,
        updatedAt: payment.updatedAt,
      },
      { where: { id: payment.id }, transaction: this.transaction },
    );
    const messages = payment.pullEvents().map((event) => toOutboxMessage(event, this.causationId));
    await appendToOutbox(this.sequelize, this.transaction, messages);
  }
}

function toDomain(record: PaymentRecord): Payment {
  return Payment.restore({
    id: record.id,
    orderId: record.orderId,
    amount: storedMoney(record.amountMinor, record.currency, `payment ${record.id}`),
    status: record.status as PaymentStatus,
    providerReference: record.providerReference,
    failureReason: record.failureReason,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  });
}
