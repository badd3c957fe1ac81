import type { MessageContract } from "../../../contracts/contract";
import { decodeMessage, type DecodeFailureCode } from "../../../contracts/decode";
import { OrderCreatedContract } from "../../../contracts/order-created.contract";
import { PaymentCompletedContract } from "../../../contracts/payment-completed.contract";
import { ORDER_ID, SAMPLE_PAYLOADS } from "./sample-payloads";

const validEnvelope = () =>
  OrderCreatedContract.envelope(SAMPLE_PAYLOADS.OrderCreated as never, {
    correlationId: ORDER_ID,
    causationId: "request-7",
  }) as unknown as Record<string, unknown>;

/** The valid OrderCreated envelope with one change applied, as raw bytes. */
function mutated(change: (envelope: Record<string, unknown>) => void): Buffer {
  const envelope = JSON.parse(JSON.stringify(validEnvelope())) as Record<string, unknown>;
  change(envelope);
  return Buffer.from(JSON.stringify(envelope));
}

const payloadOf = (envelope: Record<string, unknown>) =>
  envelope.payload as Record<string, unknown>;

function failureOf(
  raw: Buffer | string | null,
  contract: MessageContract<unknown> = OrderCreatedContract as MessageContract<unknown>,
) {
  const result = decodeMessage(raw, contract);
  if (result.ok) throw new Error("expected a decode failure, got a message");
  return result.failure;
}

describe("decodeMessage failures never throw; each has a stable code", () => {
  test.each<[string, Buffer | string | null, DecodeFailureCode]>([
    ["text that is not JSON", "not json {", "MALFORMED_JSON"],
    ["an empty value", Buffer.alloc(0), "MALFORMED_JSON"],
    ["a null value (a tombstone)", null, "MALFORMED_JSON"],
    ["the JSON literal null", "null", "INVALID_ENVELOPE"],
    ["a JSON array", "[]", "INVALID_ENVELOPE"],
    ["a missing messageId", mutated((e) => delete e.messageId), "INVALID_ENVELOPE"],
    ["a messageId that is not a uuid", mutated((e) => (e.messageId = "42")), "INVALID_ENVELOPE"],
    [
      "an occurredAt that is not an instant",
      mutated((e) => (e.occurredAt = "yesterday")),
      "INVALID_ENVELOPE",
    ],
    [
      "an occurredAt without a time",
      mutated((e) => (e.occurredAt = "2025-01-01")),
      "INVALID_ENVELOPE",
    ],
    ['version as the string "1"', mutated((e) => (e.version = "1")), "INVALID_ENVELOPE"],
    ["a missing payload", mutated((e) => delete e.payload), "INVALID_ENVELOPE"],
    ["a type no contract has", mutated((e) => (e.type = "OrderShipped")), "UNKNOWN_MESSAGE_TYPE"],
    ["version 2 of a v1 contract", mutated((e) => (e.version = 2)), "UNSUPPORTED_VERSION"],
    [
      "a float amountMinor (999.5)",
      mutated((e) => ((payloadOf(e).total as Record<string, unknown>).amountMinor = 999.5)),
      "SCHEMA_VIOLATION",
    ],
    ["a missing orderId", mutated((e) => delete payloadOf(e).orderId), "SCHEMA_VIOLATION"],
    [
      'a lower-case currency "inr"',
      mutated((e) => ((payloadOf(e).total as Record<string, unknown>).currency = "inr")),
      "SCHEMA_VIOLATION",
    ],
    ["an order without items", mutated((e) => (payloadOf(e).items = [])), "SCHEMA_VIOLATION"],
    ["a traceparent that is not text", mutated((e) => (e.traceparent = 7)), "INVALID_ENVELOPE"],
  ])("%s → %s", (_, raw, code) => {
    expect(failureOf(raw).code).toBe(code);
  });

  it("a traceparent it cannot read does not make the message bad (W3C: start a new trace)", () => {
    const traced = mutated((e) => (e.traceparent = "00-not-a-trace-01"));
    const decoded = decodeMessage(traced, OrderCreatedContract as MessageContract<unknown>);
    expect(decoded.ok).toBe(true);
  });

  it("an OrderCreated read from the PaymentCompleted topic is UNEXPECTED_MESSAGE_TYPE (the stale-topic failure)", () => {
    const failure = failureOf(
      Buffer.from(JSON.stringify(validEnvelope())),
      PaymentCompletedContract as MessageContract<unknown>,
    );
    expect(failure.code).toBe("UNEXPECTED_MESSAGE_TYPE");
    expect(failure.message).toContain("payment.completed");
  });

  it("a schema violation names the offending field", () => {
    const raw = mutated(
      (e) => ((payloadOf(e).total as Record<string, unknown>).amountMinor = 999.5),
    );
    expect(failureOf(raw).message).toContain("total.amountMinor");
  });
});
