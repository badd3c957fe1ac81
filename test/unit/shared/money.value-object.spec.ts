import { Money } from "../../../services/shared/domain/money.value-object";
import { inr, usd } from "../support/money";
import { unwrap, unwrapError } from "../support/result";

describe("Money.create", () => {
  it("keeps integer minor units and the currency", () => {
    const money = unwrap(Money.create(49950, "INR"));
    expect(money.minor).toBe(49950);
    expect(money.currency).toBe("INR");
  });

  it("accepts zero and the largest safe integer", () => {
    expect(unwrap(Money.create(0, "INR")).minor).toBe(0);
    expect(unwrap(Money.create(Number.MAX_SAFE_INTEGER, "INR")).minor).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });

  it.each([
    ["a fraction of a minor unit", 999.5],
    ["a negative amount", -1],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["an unsafe integer", Number.MAX_SAFE_INTEGER + 1],
  ])("rejects %s with INVALID_MONEY", (_, minor) => {
    expect(unwrapError(Money.create(minor, "INR")).code).toBe("INVALID_MONEY");
  });

  it.each(["inr", "RUPEE", "", "IN"])("rejects currency %p with INVALID_CURRENCY", (currency) => {
    expect(unwrapError(Money.create(100, currency)).code).toBe("INVALID_CURRENCY");
  });
});

describe("Money.fromMajor", () => {
  it.each<[number | string, number]>([
    [499.5, 49950],
    ["499.50", 49950],
    ["499.5", 49950],
    [0, 0],
    ["0.01", 1],
    [0.29, 29], // 0.29 * 100 is 28.999999999999996 in floating point
    [19.99, 1999], // 19.99 * 100 is 1998.9999999999998
    ["  12.30 ", 1230],
    ["90071992547409.91", Number.MAX_SAFE_INTEGER],
  ])("parses %p exactly as %p minor units", (amount, minor) => {
    expect(unwrap(Money.fromMajor(amount, "INR")).minor).toBe(minor);
  });

  it.each<[string, number | string]>([
    ["0.1 + 0.2 (a float with 17 decimals)", 0.1 + 0.2],
    ["more than 2 decimals as a number", 499.501],
    ["more than 2 decimals as a string", "499.501"],
    ["a negative number", -1],
    ["a negative string", "-0.50"],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["-Infinity", Number.NEGATIVE_INFINITY],
    ["1e21 (exponent notation)", 1e21],
    ["1e-7 (a tiny number)", 1e-7],
    ["1e20 (beyond the safe integer range in minor units)", 1e20],
    ["one minor unit past the safe integer range", "90071992547409.92"],
    ["an empty string", ""],
    ["a thousands separator", "1,000.00"],
    ["a bare fraction", ".5"],
    ["a trailing dot", "5."],
    ["words", "ten"],
  ])("rejects %s with INVALID_MONEY", (_, amount) => {
    expect(unwrapError(Money.fromMajor(amount, "INR")).code).toBe("INVALID_MONEY");
  });

  it("rejects a bad currency with INVALID_CURRENCY", () => {
    expect(unwrapError(Money.fromMajor("1.00", "inr")).code).toBe("INVALID_CURRENCY");
  });
});

describe("Money arithmetic and comparison", () => {
  it("adds exactly and leaves both operands unchanged", () => {
    const a = inr(49950);
    const b = inr(49950);
    expect(a.add(b).toDecimalString()).toBe("999.00");
    expect(a.minor).toBe(49950);
    expect(b.minor).toBe(49950);
  });

  it("multiplies by a whole quantity: 2 × 499.50 = 999.00", () => {
    const price = unwrap(Money.fromMajor(499.5, "INR"));
    expect(price.times(2).toDecimalString()).toBe("999.00");
    expect(price.times(0).minor).toBe(0);
  });

  it.each([1.5, -1, Number.NaN])("refuses to multiply by %p", (factor) => {
    expect(() => inr(100).times(factor)).toThrow(
      expect.objectContaining({ code: "INVALID_MONEY" }),
    );
  });

  it("compares amounts of one currency", () => {
    expect(inr(10001).isGreaterThan(inr(10000))).toBe(true);
    expect(inr(10000).isGreaterThan(inr(10000))).toBe(false);
  });

  it("is equal only with the same amount and currency", () => {
    expect(inr(100).equals(inr(100))).toBe(true);
    expect(inr(100).equals(inr(101))).toBe(false);
    expect(inr(100).equals(usd(100))).toBe(false);
  });

  it.each([
    ["add", (a: Money, b: Money) => a.add(b)],
    ["isGreaterThan", (a: Money, b: Money) => a.isGreaterThan(b)],
  ])("%s throws CURRENCY_MISMATCH across currencies", (_, combine) => {
    expect(() => combine(inr(100), usd(100))).toThrow(
      expect.objectContaining({ code: "CURRENCY_MISMATCH" }),
    );
  });
});

describe("Money formatting", () => {
  it.each([
    [0, "0.00"],
    [5, "0.05"],
    [50, "0.50"],
    [49950, "499.50"],
    [10000000, "100000.00"],
  ])("%p minor units read %p", (minor, text) => {
    expect(inr(minor).toDecimalString()).toBe(text);
  });

  it("names the currency in toString", () => {
    expect(inr(49950).toString()).toBe("499.50 INR");
  });

  it("zero is 0.00 in the given currency", () => {
    expect(Money.zero("USD").toString()).toBe("0.00 USD");
  });
});
