import { storedMoney } from "../../shared/db/stored-money";
import type { OrderQueries } from "../application/get-order/order.queries.port";
import type { OrderSummaryView, OrderView } from "../application/get-order/order.view";
import type { OrderModels } from "./order.models";

export class SequelizeOrderQueries implements OrderQueries {
  constructor(private readonly models: OrderModels) {}

  async getOrder(orderId: string): Promise<OrderView | null> {
    const record = await this.models.Order.findByPk(orderId, {
      include: [{ model: this.models.OrderItem, as: "items" }],
      order: [[{ model: this.models.OrderItem, as: "items" }, "lineNo", "ASC"]],
    });
    if (!record) return null;
    return {
      ...toOrderSummaryView(record.get({ plain: true })),
      items: (record.items ?? []).map((line) => {
        const unitPrice = decimal(line.unitPriceMinor, record.currency);
        return {
          productId: line.productId,
          quantity: line.quantity,
          unitPrice,
          lineTotal: decimal(Number(line.unitPriceMinor) * line.quantity, record.currency),
        };
      }),
    };
  }
}

/** Also used for the rows moleculer-db's list returns (plain objects with the model's attributes). */
export function toOrderSummaryView(row: {
  id: string;
  status: string;
  totalMinor: number | string;
  currency: string;
  cancellationReason: string | null;
  createdAt: Date | string;
  updatedAt: Date | string;
}): OrderSummaryView {
  return {
    orderId: row.id,
    status: row.status,
    total: decimal(row.totalMinor, row.currency),
    currency: row.currency,
    cancellationReason: row.cancellationReason,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

function decimal(minor: number | string, currency: string): string {
  return storedMoney(minor, currency, "an order").toDecimalString();
}
