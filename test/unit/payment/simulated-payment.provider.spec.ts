import { simulatedDecision } from "../../../services/payment/infrastructure/simulated-payment.provider";
import { Money } from "../../../services/shared/domain/money.value-object";
import { unwrap } from "../support/result";

const major = (amount: string, currency = "INR") => unwrap(Money.fromMajor(amount, currency));
const charge = async (amount: Money) =>
  simulatedDecision({ orderId: "order-1", amount }, major("100000.00"));

describe("the simulated provider's decision (limit 100000.00 INR)", () => {
  it("approves an amount under the limit with a reference naming the order", async () => {
    expect(await charge(major("999.00"))).toEqual({ approved: true, reference: "sim-order-1" });
  });

  it("approves exactly the limit", async () => {
    expect(await charge(major("100000.00"))).toEqual({ approved: true, reference: "sim-order-1" });
  });

  it("declines one paisa over the limit, naming both amounts", async () => {
    const outcome = await charge(major("100000.01"));
    expect(outcome.approved).toBe(false);
    expect(outcome).toEqual({
      approved: false,
      reason: expect.stringMatching(/100000\.01 INR.*100000\.00 INR/),
    });
  });

  it("declines another currency, naming both currencies", async () => {
    const outcome = await charge(major("10.00", "USD"));
    expect(outcome).toEqual({
      approved: false,
      reason: expect.stringMatching(/USD.*INR/),
    });
  });

  it("gives the same answer for the same input", async () => {
    expect(await charge(major("100000.01"))).toEqual(await charge(major("100000.01")));
  });
});
