import type { OrderView } from "./order.view";

/** Read side: plain views for the API, no aggregate loading or locking. */
export interface OrderQueries {
  getOrder(orderId: string): Promise<OrderView | null>;
}
