export interface SagaView {
  orderId: string;
  state: string;
  amount: string;
  currency: string;
  failureReason: string | null;
  finished: boolean;
  createdAt: string;
  updatedAt: string;
  transitions: Array<{
    from: string | null;
    to: string;
    at: string;
    causationId: string;
    note: string | null;
  }>;
}
