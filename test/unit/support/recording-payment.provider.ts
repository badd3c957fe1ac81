import type { Money } from "../../../services/shared/domain/money.value-object";
import type {
  ChargeOutcome,
  PaymentProvider,
} from "../../../services/payment/domain/payment-provider.port";

/** A provider that answers what the test tells it to and remembers every charge. */
export class RecordingPaymentProvider implements PaymentProvider {
  readonly charges: Array<{ paymentId: string; orderId: string; amount: Money }> = [];

  constructor(private readonly outcome: ChargeOutcome) {}

  async charge(request: {
    paymentId: string;
    orderId: string;
    amount: Money;
  }): Promise<ChargeOutcome> {
    this.charges.push(request);
    return this.outcome;
  }
}
