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
  payload: TPayload;
}

const envelopeSchema: Schema = {
  $$strict: false,
  messageId: { type: "uuid" },
  type: { type: "string", min: 1, max: 100 },
  version: { type: "number", integer: true, positive: true, convert: false },
  occurredAt: { type: "string", pattern: ISO_INSTANT },
  correlationId: { type: "string", min: 1, max: 200 },
  causationId: { type: "string", min: 1, max: 200 },
  payload: { type: "object", strict: false },
};

export const checkEnvelope: (input: unknown) => CheckResult<Envelope> =
  compileSchema<Envelope>(envelopeSchema);

export interface EnvelopeContext {
  correlationId: string;
  causationId: string;
  messageId?: string;
  occurredAt?: Date;
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
    payload,
  };
}
