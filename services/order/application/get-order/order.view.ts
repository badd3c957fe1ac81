/** The order as the API shows it. Amounts are exact decimal strings in the order's currency. */
export interface OrderView {
  orderId: string;
  /** Who placed it; null for an order from before orders had owners. */
  customerId: string | null;
  status: string;
  items: Array<{ productId: string; quantity: number; unitPrice: string; lineTotal: string }>;
  total: string;
  currency: string;
  cancellationReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface OrderSummaryView {
  orderId: string;
  customerId: string | null;
  status: string;
  total: string;
  currency: string;
  cancellationReason: string | null;
  createdAt: string;
  updatedAt: string;
}
