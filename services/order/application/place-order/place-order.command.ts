export interface PlaceOrderCommand {
  /** Who places it (the token's subject): the order is theirs. */
  customerId: string;
  items: ReadonlyArray<{ productId: string; quantity: number; price: number }>;
  /** Optional client key: the same key and body return the same order instead of a second one. */
  idempotencyKey?: string;
  /** The HTTP request (or REPL call) that asked for the order: the OrderCreated causation id. */
  requestId: string;
}

export interface PlaceOrderResult {
  orderId: string;
  status: string;
  /** True when an earlier request with the same idempotency key already created this order. */
  replayed: boolean;
}
