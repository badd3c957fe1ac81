import { defineContract } from "./contract";
import { Topics } from "./topics";
import { ISO_INSTANT, moneySchema, type MoneyDto } from "./validator";

/** Event: an order was accepted and stored as PENDING. Starts the saga. */
export interface OrderCreated {
  orderId: string;
  /**
   * Who placed it (the token's subject). Added in the same version: optional, so records written
   * before orders had owners still read; every order placed since carries it.
   */
  customerId?: string;
  items: Array<{ productId: string; quantity: number; unitPrice: MoneyDto }>;
  total: MoneyDto;
  createdAt: string;
}

export const OrderCreatedContract = defineContract<OrderCreated>({
  type: "OrderCreated",
  version: 1,
  kind: "event",
  topic: Topics.orderCreated,
  schema: {
    orderId: { type: "uuid" },
    customerId: { type: "string", min: 1, max: 200, optional: true },
    items: {
      type: "array",
      min: 1,
      items: {
        type: "object",
        strict: false,
        props: {
          productId: { type: "string", min: 1, max: 64 },
          quantity: { type: "number", integer: true, positive: true, convert: false },
          unitPrice: moneySchema,
        },
      },
    },
    total: moneySchema,
    createdAt: { type: "string", pattern: ISO_INSTANT },
  },
});
