import type { Money } from "../../shared/domain/money.value-object";
import type { ChargeOutcome, PaymentProvider } from "../domain/payment-provider.port";

/**
 * The default provider: no network, same answer for the same input. It declines any amount
 * above `declineAbove` (PAYMENT_DECLINE_ABOVE, default 100000.00 INR) and approves the rest,
 * so a test or a user can make a payment fail on purpose with a large order.
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  constructor(private readonly declineAbove: Money) {}

  async charge(request: {
    paymentId: string;
    orderId: string;
    amount: Money;
  }): Promise<ChargeOutcome> {
    if (request.amount.currency !== this.declineAbove.currency) {
      return {
        approved: false,
        reason: `currency ${request.amount.currency} is not supported; payments are taken in ${this.declineAbove.currency}`,
      };
    }
    if (request.amount.isGreaterThan(this.declineAbove)) {
      return {
        approved: false,
        reason: `amount ${request.amount} exceeds the limit of ${this.declineAbove}`,
      };
    }
    return { approved: true, reference: `sim-${request.orderId}` };
  }
}
