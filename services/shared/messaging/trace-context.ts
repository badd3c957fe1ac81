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
export const newSpanId = (): string => randomBytes(8).toString("hex");

/** A new trace id (16 random bytes). */
export const newTraceId = (): string => randomBytes(16).toString("hex");

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

function hexOf(id: string, length: number): string {
  const digits = id.replace(/-/g, "").toLowerCase();
  if (
    digits.length >= length &&
    /^[0-9a-f]+$/.test(digits) &&
    !ALL_ZERO.test(digits.slice(0, length))
  )
    return digits.slice(0, length);
  return createHash("sha256").update(id).digest("hex").slice(0, length);
}
