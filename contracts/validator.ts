import Validator, { type ValidationRuleObject } from "fastest-validator";

/** One validator instance for every contract; each schema is compiled once, at module load. */
const validator = new Validator({ useNewCustomCheckerFunction: true });

export type Schema = Record<string, ValidationRuleObject | string | boolean>;

/** Field path ("items[0].quantity") → what is wrong with it. */
export type FieldErrors = Record<string, string>;

export type CheckResult<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

export function compileSchema<T>(schema: Schema): (input: unknown) => CheckResult<T> {
  const check = validator.compile(schema);
  return (input) => {
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      return { ok: false, errors: { "": "must be a JSON object" } };
    }
    const outcome = check(input);
    if (outcome === true) return { ok: true, value: input as T };
    const errors: FieldErrors = {};
    for (const failure of outcome as Array<{ field?: string; message?: string }>) {
      const field = failure.field ?? "";
      errors[field] ??= failure.message ?? "is invalid";
    }
    return { ok: false, errors };
  };
}

/** Longest human-readable reason a message may carry (PaymentFailed, RejectOrder, OrderCancelled). */
export const MAX_REASON_LENGTH = 500;

export const reasonSchema = {
  type: "string",
  min: 1,
  max: MAX_REASON_LENGTH,
} as const satisfies ValidationRuleObject;

/** Shortens a reason to fit the contracts, marking the cut, rather than failing the message. */
export function fitReason(reason: string): string {
  return reason.length <= MAX_REASON_LENGTH ? reason : `${reason.slice(0, MAX_REASON_LENGTH - 1)}…`;
}

export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Money on the wire: integer minor units and an ISO-4217 currency, never a float. The contracts
 * import nothing of the services (they are the published language, the ground floor), so the
 * wire states the currency pattern itself; the services state theirs in shared/domain/currency.ts.
 */
export const moneySchema = {
  type: "object",
  strict: false,
  props: {
    amountMinor: { type: "number", integer: true, min: 0, convert: false },
    currency: { type: "string", pattern: /^[A-Z]{3}$/ },
  },
} as const satisfies ValidationRuleObject;

export interface MoneyDto {
  amountMinor: number;
  currency: string;
}
