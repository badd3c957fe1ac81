export interface PaymentView {
  paymentId: string;
  orderId: string;
  status: string;
  amount: string;
  currency: string;
  providerReference: string | null;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
}
