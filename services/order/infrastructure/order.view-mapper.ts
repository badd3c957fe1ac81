import { storedMoney } from "../../shared/db/stored-money";
import type { OrderSummaryView, OrderView } from "../application/get-order/order.view";
import type { OrderRecord } from "./order.models";

/** An order with its lines (read with `include` through moleculer-db's adapter) as the API shows it. */
export function toOrderView(record: OrderRecord): OrderView {
  return {
    ...toOrderSummaryView(record.get({ plain: true })),
    items: (record.items ?? []).map((line) => ({
      productId: line.productId,
      quantity: line.quantity,
      unitPrice: decimal(line.unitPriceMinor, record.currency),
      lineTotal: decimal(Number(line.unitPriceMinor) * line.quantity, record.currency),
    })),
  };
}

/** Also used for the rows moleculer-db's list returns (plain objects with the model's attributes). */
export function toOrderSummaryView(row: {
  id: string;
  customerId: string | null;
  status: string;
  totalMinor: number | string;
  currency: string;
  cancellationReason: string | null;
  createdAt: Date | string;
  updatedAt: Date | string;
}): OrderSummaryView {
  return {
    orderId: row.id,
    customerId: row.customerId,
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
