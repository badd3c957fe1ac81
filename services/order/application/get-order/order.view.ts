/** The order as the API shows it. Amounts are exact decimal strings in the order's currency. */
export interface OrderView {
  orderId: string;
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
  status: string;
  total: string;
  currency: string;
  cancellationReason: string | null;
  createdAt: string;
  updatedAt: string;
}
