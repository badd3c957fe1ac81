import { createHash, randomBytes } from "node:crypto";
import { TRACEPARENT } from "../../../contracts";

/**
 * Where a piece of work sits in its trace, as W3C Trace Context carries it
 * (https://www.w3.org/TR/trace-context/): the trace, the span that caused the work, and whether
 * the trace is recorded. One order is one trace: the context travels in every message's
 * envelope (`traceparent`), so the consumer's span is a child of the producer's.
 */
export interface TraceContext {
  /** 32 lower-case hex digits, not all zero. */
  traceId: string;
  /** 16 lower-case hex digits, not all zero. */
  spanId: string;
  sampled: boolean;
}

const ALL_ZERO = /^0+$/;

/** The context a `traceparent` names; undefined for anything that is not a valid one. */
export function parseTraceparent(value: unknown): TraceContext | undefined {
  if (typeof value !== "string") return undefined;
  const match = TRACEPARENT.exec(value);
  if (!match) return undefined;
  const [, version, traceId, spanId, flags] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  // Version ff is invalid; an all-zero id means "no trace".
  if (version === "ff" || ALL_ZERO.test(traceId) || ALL_ZERO.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.sampled ? "01" : "00"}`;
}

/** A new span id (8 random bytes). */
export const newSpanId = (): string => randomHex(8);

/** A new trace id (16 random bytes). */
export const newTraceId = (): string => randomHex(16);

/**
 * Random bytes drawn from a pool filled 4 KB at a time: every message hop makes a span id, and
 * one `randomBytes(8)` call costs about as much as the rest of the span (2 µs, measured).
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

function randomHex(bytes: number): string {
  if (used + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  const hex = pool.toString("hex", used, used + bytes);
  used += bytes;
  return ALL_ZERO.test(hex) ? randomHex(bytes) : hex;
}

/**
 * Moleculer names traces and spans with uuids (a trace id is the request id, which a client may
 * also set with `X-Request-ID`); W3C and Zipkin want 32 and 16 hex digits. A uuid maps onto its
 * own digits, so the same trace reads the same in Moleculer, in a `traceparent` and in Zipkin;
 * anything else maps onto a digest of itself.
 */
export function traceIdOf(moleculerId: string): string {
  return hexOf(moleculerId, 32);
}

export function spanIdOf(moleculerId: string): string {
  return hexOf(moleculerId, 16);
}

const LOWER_HEX = /^[0-9a-f]+$/;

function hexOf(id: string, length: number): string {
  // The OMS's own ids already have the size (most spans): no copy.
  if (id.length === length && LOWER_HEX.test(id) && !ALL_ZERO.test(id)) return id;
  const digits = id.replace(/-/g, "").toLowerCase();
  if (
    digits.length >= length &&
    /^[0-9a-f]+$/.test(digits) &&
    !ALL_ZERO.test(digits.slice(0, length))
  )
    return digits.slice(0, length);
  return createHash("sha256").update(id).digest("hex").slice(0, length);
}
