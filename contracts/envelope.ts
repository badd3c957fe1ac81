import { randomUUID } from "node:crypto";
import { compileSchema, ISO_INSTANT, type CheckResult, type Schema } from "./validator";

/**
 * Every message travels in this envelope. `type` and `version` name the contract; there are no
 * class names on the wire, so a consumer never needs the producer's code to read a message.
 */
export interface Envelope<TPayload = unknown> {
  messageId: string;
  type: string;
  version: number;
  occurredAt: string;
  /** The business key the whole flow shares: the orderId. */
  correlationId: string;
  /** The id of the message (or HTTP request) that caused this one. */
  causationId: string;
  /**
   * W3C Trace Context of the span that wrote this message (`00-<trace>-<span>-<flags>`), so the
   * consumer's span continues the same trace: one order, one trace. Absent when not traced.
   */
  traceparent?: string;
  payload: TPayload;
}

/** A W3C `traceparent`: version, 32-digit trace id, 16-digit parent span id, flags. */
export const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

const envelopeSchema: Schema = {
  $$strict: false,
  messageId: { type: "uuid" },
  type: { type: "string", min: 1, max: 100 },
  version: { type: "number", integer: true, positive: true, convert: false },
  occurredAt: { type: "string", pattern: ISO_INSTANT },
  correlationId: { type: "string", min: 1, max: 200 },
  causationId: { type: "string", min: 1, max: 200 },
  // Not checked against TRACEPARENT: W3C asks a receiver to ignore a traceparent it cannot read
  // and start a new trace; the message itself is good.
  traceparent: { type: "string", optional: true, max: 512 },
  payload: { type: "object", strict: false },
};

export const checkEnvelope: (input: unknown) => CheckResult<Envelope> =
  compileSchema<Envelope>(envelopeSchema);

export interface EnvelopeContext {
  correlationId: string;
  causationId: string;
  messageId?: string;
  occurredAt?: Date;
  traceparent?: string;
}

export function buildEnvelope<T>(
  type: string,
  version: number,
  payload: T,
  context: EnvelopeContext,
): Envelope<T> {
  return {
    messageId: context.messageId ?? randomUUID(),
    type,
    version,
    occurredAt: (context.occurredAt ?? new Date()).toISOString(),
    correlationId: context.correlationId,
    causationId: context.causationId,
    ...(context.traceparent && { traceparent: context.traceparent }),
    payload,
  };
}
