import type { MessageContract } from "./contract";
import { checkEnvelope, type Envelope } from "./envelope";
import { contractForType } from "./registry";

/** Why a record could not be read as the contract its topic carries. Stable codes, for DLT headers. */
export type DecodeFailureCode =
  | "MALFORMED_JSON"
  | "INVALID_ENVELOPE"
  | "UNKNOWN_MESSAGE_TYPE"
  | "UNEXPECTED_MESSAGE_TYPE"
  | "UNSUPPORTED_VERSION"
  | "SCHEMA_VIOLATION";

export interface DecodeFailure {
  code: DecodeFailureCode;
  message: string;
}

export type DecodeResult<T> =
  { ok: true; envelope: Envelope<T> } | { ok: false; failure: DecodeFailure };

const fail = (code: DecodeFailureCode, message: string): DecodeResult<never> => ({
  ok: false,
  failure: { code, message },
});

/**
 * Reads raw bytes as the one contract a topic carries. Every way a record can be wrong ends in a
 * DecodeFailure, never an exception, so a bad record is dead-lettered instead of crash-looping
 * the consumer (the Java original's SerializationException).
 */
export function decodeMessage<T>(
  raw: Buffer | string | null,
  expected: MessageContract<T>,
): DecodeResult<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw == null ? "" : raw.toString());
  } catch (error) {
    return fail("MALFORMED_JSON", `value is not JSON: ${(error as Error).message}`);
  }
  const envelope = checkEnvelope(parsed);
  if (!envelope.ok) return fail("INVALID_ENVELOPE", describe(envelope.errors));

  const { type, version } = envelope.value;
  if (type !== expected.type) {
    return contractForType(type)
      ? fail(
          "UNEXPECTED_MESSAGE_TYPE",
          `${type} does not belong on ${expected.topic}, which carries ${expected.type}`,
        )
      : fail("UNKNOWN_MESSAGE_TYPE", `no contract is named ${type}`);
  }
  if (version !== expected.version) {
    return fail(
      "UNSUPPORTED_VERSION",
      `${type} v${version} is not supported; this consumer reads v${expected.version}`,
    );
  }
  const payload = expected.checkPayload(envelope.value.payload);
  if (!payload.ok) return fail("SCHEMA_VIOLATION", describe(payload.errors));
  return { ok: true, envelope: { ...envelope.value, payload: payload.value } };
}

function describe(errors: Record<string, string>): string {
  return Object.entries(errors)
    .map(([field, message]) => (field ? `${field}: ${message}` : message))
    .join("; ");
}
