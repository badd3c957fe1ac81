import type {
  ChargeOutcome,
  ChargeRequest,
  ChargeStatus,
  PaymentProvider,
} from "../../../services/payment/domain/payment-provider.port";

/**
 * A provider with books: the first charge under a key gets `outcome` and every repeat the same
 * answer; a release refunds a charge or closes the key. It records every call, so a test sees
 * what was asked as well as what happened.
 */
export class RecordingPaymentProvider implements PaymentProvider {
  readonly calls: Array<{ call: "charge" | "status" | "release"; paymentId: string }> = [];
  private readonly books = new Map<
    string,
    { answer: ChargeOutcome | "released"; refunded: boolean }
  >();

  constructor(private readonly outcome: ChargeOutcome) {}

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    this.calls.push({ call: "charge", paymentId: request.paymentId });
    const entry = this.books.get(request.paymentId);
    if (entry?.answer === "released") return { approved: false, reason: "released" };
    if (entry) return entry.answer;
    this.books.set(request.paymentId, { answer: this.outcome, refunded: false });
    return this.outcome;
  }

  async status(paymentId: string): Promise<ChargeStatus> {
    this.calls.push({ call: "status", paymentId });
    const entry = this.books.get(paymentId);
    if (!entry) return { state: "unknown" };
    if (entry.answer === "released" || entry.refunded)
      return { state: "released", refunded: entry.refunded };
    return { state: "answered", ...entry.answer };
  }

  async release(request: ChargeRequest): Promise<{ refunded: boolean }> {
    this.calls.push({ call: "release", paymentId: request.paymentId });
    const entry = this.books.get(request.paymentId);
    if (!entry) {
      this.books.set(request.paymentId, { answer: "released", refunded: false });
      return { refunded: false };
    }
    const charged = entry.answer !== "released" && entry.answer.approved;
    entry.refunded = charged;
    return { refunded: charged };
  }

  /** Money the provider holds under the key now. */
  holds(paymentId: string): boolean {
    const entry = this.books.get(paymentId);
    return !!entry && entry.answer !== "released" && entry.answer.approved && !entry.refunded;
  }

  count(call: "charge" | "status" | "release"): number {
    return this.calls.filter((c) => c.call === call).length;
  }
}
