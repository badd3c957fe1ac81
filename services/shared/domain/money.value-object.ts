import { ISO_CURRENCY_CODE } from "./currency";
import { DomainError } from "./domain-error";
import { err, ok, type Result } from "./result";

const MINOR_UNITS_PER_MAJOR = 100;

/** Stable codes of the money rules, shared by every context. */
export const MoneyErrorCode = {
  InvalidMoney: "INVALID_MONEY",
  InvalidCurrency: "INVALID_CURRENCY",
  Overflow: "MONEY_OVERFLOW",
  CurrencyMismatch: "CURRENCY_MISMATCH",
} as const;

/**
 * An amount in integer minor units (paise, cents) and an ISO-4217 currency code. Never a float:
 * 499.5 × 2 must be exactly 999.00, which binary floating point cannot promise.
 */
export class Money {
  private constructor(
    readonly minor: number,
    readonly currency: string,
  ) {}

  static create(minor: number, currency: string): Result<Money, DomainError> {
    if (!Number.isSafeInteger(minor) || minor < 0) {
      return err(
        new DomainError(
          MoneyErrorCode.InvalidMoney,
          `amount must be a non-negative whole number of minor units, got ${minor}`,
        ),
      );
    }
    if (!ISO_CURRENCY_CODE.test(currency)) {
      return err(
        new DomainError(
          MoneyErrorCode.InvalidCurrency,
          `currency must be an ISO-4217 code, got "${currency}"`,
        ),
      );
    }
    return ok(new Money(minor, currency));
  }

  /** Parses a decimal major-unit amount (499.5 or "499.50") exactly, without float arithmetic. */
  static fromMajor(amount: number | string, currency: string): Result<Money, DomainError> {
    const text = typeof amount === "number" ? numberToPlainString(amount) : amount.trim();
    const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
    if (!match) {
      return err(
        new DomainError(
          MoneyErrorCode.InvalidMoney,
          `"${text}" is not a non-negative amount with at most 2 decimals`,
        ),
      );
    }
    const [, whole = "0", fraction = ""] = match;
    const minor = Number(whole) * MINOR_UNITS_PER_MAJOR + Number(fraction.padEnd(2, "0"));
    return Money.create(minor, currency);
  }

  static zero(currency: string): Money {
    return new Money(0, currency);
  }

  add(other: Money): Money {
    this.assertSameCurrency(other);
    return this.exact(this.minor + other.minor);
  }

  times(factor: number): Money {
    if (!Number.isSafeInteger(factor) || factor < 0) {
      throw new DomainError(MoneyErrorCode.InvalidMoney, `cannot multiply money by ${factor}`);
    }
    return this.exact(this.minor * factor);
  }

  isGreaterThan(other: Money): boolean {
    this.assertSameCurrency(other);
    return this.minor > other.minor;
  }

  equals(other: Money): boolean {
    return this.minor === other.minor && this.currency === other.currency;
  }

  /** "999.00": the exact decimal form for display and for the HTTP API. */
  toDecimalString(): string {
    const whole = Math.floor(this.minor / MINOR_UNITS_PER_MAJOR);
    const fraction = String(this.minor % MINOR_UNITS_PER_MAJOR).padStart(2, "0");
    return `${whole}.${fraction}`;
  }

  toString(): string {
    return `${this.toDecimalString()} ${this.currency}`;
  }

  /** Past 2^53 integer arithmetic silently rounds; callers bound their inputs so this never fires. */
  private exact(minor: number): Money {
    if (!Number.isSafeInteger(minor)) {
      throw new DomainError(
        MoneyErrorCode.Overflow,
        `amount exceeds what can be computed exactly (${minor})`,
      );
    }
    return new Money(minor, this.currency);
  }

  private assertSameCurrency(other: Money): void {
    if (other.currency !== this.currency) {
      throw new DomainError(
        MoneyErrorCode.CurrencyMismatch,
        `cannot combine ${this.currency} with ${other.currency}`,
      );
    }
  }
}

/** 1e21.toString() is "1e+21"; toFixed keeps plain digits for anything a price could be. */
function numberToPlainString(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const text = String(value);
  return /e/i.test(text) ? value.toFixed(20).replace(/\.?0+$/, "") : text;
}
