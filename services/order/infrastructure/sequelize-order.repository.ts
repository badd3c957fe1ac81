import { UniqueConstraintError, type Sequelize, type Transaction } from "sequelize";
import { storedMoney } from "../../shared/db/stored-money";
import { appendToOutbox } from "../../shared/messaging/outbox";
import { Order } from "../domain/order.aggregate";
import type { IdempotencyRecord, OrderRepository } from "../domain/order.repository.port";
import { OrderItem } from "../domain/order-item.value-object";
import type { OrderStatus } from "../domain/order-status";
import type { OrderItemRecord, OrderModels, OrderRecord } from "./order.models";
import { toOutboxMessage } from "./order-messages.mapper";

/** The order repository for one transaction; `causationId` names the request or message behind it. */
export class SequelizeOrderRepository implements OrderRepository {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly models: OrderModels,
    private readonly transaction: Transaction,
    private readonly causationId: string,
  ) {}

  async findById(orderId: string): Promise<Order | null> {
    const record = await this.models.Order.findByPk(orderId, {
      transaction: this.transaction,
      lock: this.transaction.LOCK.UPDATE,
    });
    return record ? this.toDomain(record) : null;
  }

  async findByIdempotencyKey(key: string): Promise<{ order: Order; requestHash: string } | null> {
    const record = await this.models.Order.findOne({
      where: { idempotencyKey: key },
      transaction: this.transaction,
    });
    return record
      ? { order: await this.toDomain(record), requestHash: record.requestHash ?? "" }
      : null;
  }

  async add(order: Order, idempotency?: IdempotencyRecord): Promise<"added" | "key-taken"> {
    try {
      // A savepoint: losing the idempotency-key race must not abort the caller's transaction.
      await this.sequelize.transaction({ transaction: this.transaction }, async (savepoint) => {
        await this.models.Order.create(
          {
            id: order.id,
            status: order.status,
            currency: order.currency,
            totalMinor: order.total.minor,
            cancellationReason: order.cancellationReason,
            idempotencyKey: idempotency?.key ?? null,
            requestHash: idempotency?.requestHash ?? null,
            createdAt: order.createdAt,
            updatedAt: order.updatedAt,
          },
          { transaction: savepoint },
        );
      });
    } catch (error) {
      if (idempotency && error instanceof UniqueConstraintError) return "key-taken";
      throw error;
    }
    await this.models.OrderItem.bulkCreate(
      order.items.map((item, index) => ({
        orderId: order.id,
        lineNo: index + 1,
        productId: item.productId,
        quantity: item.quantity.value,
        unitPriceMinor: item.unitPrice.minor,
      })),
      { transaction: this.transaction },
    );
    await this.writeEvents(order);
    return "added";
  }

  async save(order: Order): Promise<void> {
    await this.models.Order.update(
      {
        status: order.status,
        cancellationReason: order.cancellationReason,
        updatedAt: order.updatedAt,
      },
      { where: { id: order.id }, transaction: this.transaction },
    );
    await this.writeEvents(order);
  }

  private async writeEvents(order: Order): Promise<void> {
    const messages = order.pullEvents().map((event) => toOutboxMessage(event, this.causationId));
    await appendToOutbox(this.sequelize, this.transaction, messages);
  }

  private async toDomain(record: OrderRecord): Promise<Order> {
    const lines = await this.models.OrderItem.findAll({
      where: { orderId: record.id },
      order: [["lineNo", "ASC"]],
      transaction: this.transaction,
    });
    return Order.restore({
      id: record.id,
      items: lines.map((line) => restoreItem(line, record.currency)),
      currency: record.currency,
      status: record.status as OrderStatus,
      cancellationReason: record.cancellationReason,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    });
  }
}

function restoreItem(line: OrderItemRecord, currency: string): OrderItem {
  const owner = `order line ${line.orderId}#${line.lineNo}`;
  const item = OrderItem.create({
    productId: line.productId,
    quantity: line.quantity,
    unitPrice: storedMoney(line.unitPriceMinor, currency, owner),
  });
  if (!item.ok) throw new Error(`stored ${owner} is invalid: ${item.error.message}`);
  return item.value;
}
