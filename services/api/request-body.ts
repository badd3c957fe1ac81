import { Errors } from "moleculer";
import { GatewayErrorCode } from "./http-errors";

/**
 * What the gateway refuses in a JSON body before any service sees it, each as a 400 naming the
 * field: the validator, PostgreSQL and the transporter each fail on some of it with a 500
 * (a fuzz run found them all; test/broker/gateway-fuzz.spec.ts keeps them found).
 *
 * - On the bytes, before JSON.parse (body-parser's `verify`): invalid UTF-8 (it would be
 *   silently replaced), nesting deeper than MAX_BODY_DEPTH (5,000 nested arrays overflow the
 *   validator's stack; in distributed mode any deep object overflows the transporter's
 *   JSON.stringify), and a key given twice (JSON.parse keeps the last one silently).
 * - On the parsed body: a NUL character or a lone surrogate in any key or string (PostgreSQL
 *   refuses both in text and JSONB), and numbers JSON.parse could not hold (`1e400` is Infinity).
 */
export const MAX_BODY_DEPTH = 32;

/** body-parser's `verify` hook: the raw body, before it is parsed. */
export function verifyJsonBytes(
  _req: unknown,
  _res: unknown,
  body: Buffer,
  encoding: string | null,
): void {
  // body-parser only hands JSON in a Unicode charset; UTF-8 is the only one JSON may use.
  if (encoding !== null && encoding !== "utf-8") return;
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    throw rejected({ body: "is not valid UTF-8" });
  }
  const problem = structureProblem(text);
  if (problem) throw rejected({ body: problem });
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * One pass over the JSON text: how deep it nests, and whether an object repeats a key. Text
 * that is not JSON is left to JSON.parse, which says so.
 */
function structureProblem(text: string): string | undefined {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const open: Array<Set<string> | null> = [];
  let keyNext = false;
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at];
    if (char === '"') {
      const end = endOfString(text, at);
      if (end < 0) return undefined;
      const keys = open.at(-1);
      if (keyNext && keys) {
        const key = decodeString(text.slice(at, end + 1));
        if (key === undefined) return undefined;
        if (keys.has(key)) return `has the key ${JSON.stringify(key)} twice in one object`;
        keys.add(key);
      }
      keyNext = false;
      at = end;
    } else if (char === "{" || char === "[") {
      open.push(char === "{" ? new Set() : null);
      if (open.length > MAX_BODY_DEPTH) return `is nested deeper than ${MAX_BODY_DEPTH} levels`;
      keyNext = char === "{";
    } else if (char === "}" || char === "]") {
      open.pop();
      keyNext = false;
    } else if (char === ",") {
      keyNext = open.at(-1) instanceof Set;
    } else if (char === ":") {
      keyNext = false;
    }
  }
  return undefined;
}

/** Index of the quote that closes the string opening at `start`; -1 if it never closes. */
function endOfString(text: string, start: number): number {
  for (let at = start + 1; at < text.length; at += 1) {
    if (text[at] === "\\") at += 1;
    else if (text[at] === '"') return at;
  }
  return -1;
}

function decodeString(literal: string): string | undefined {
  try {
    return JSON.parse(literal) as string;
  } catch {
    return undefined;
  }
}

/**
 * The parsed body's keys and values, walked without recursion (its depth is bounded, but a
 * walk that cannot overflow needs no bound): the first text PostgreSQL would refuse, or
 * number JSON could not hold, is named by its path (`items[0].productId`).
 */
export function checkBodyValues(body: unknown): void {
  const pending: Array<{ value: unknown; path: string }> = [{ value: body, path: "" }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, path } = next;
    if (typeof value === "string") {
      const problem = textProblem(value);
      if (problem) throw rejected({ [path || "body"]: problem });
    } else if (typeof value === "number") {
      if (!Number.isFinite(value))
        throw rejected({ [path || "body"]: "must be a number JSON can hold" });
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => pending.push({ value: item, path: `${path}[${index}]` }));
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        const problem = textProblem(key);
        if (problem) throw rejected({ [path || "body"]: `has a key that ${problem}` });
        pending.push({ value: item, path: path ? `${path}.${key}` : key });
      }
    }
  }
}

function textProblem(text: string): string | undefined {
  if (text.includes("\u0000")) return "must not contain a NUL character";
  if (!text.isWellFormed()) return "must be valid Unicode (it has a lone surrogate)";
  return undefined;
}

function rejected(errors: Record<string, string>): Error {
  const error = new Errors.ValidationError("Validation failed", GatewayErrorCode.Validation, {
    errors,
  });
  // body-parser keeps a `type` it finds on the error thrown by `verify`.
  (error as Error & { type: string }).type = GatewayErrorCode.Validation;
  return error;
}
