import { decodeMessage } from "../../../contracts/decode";
import { ALL_CONTRACTS, contractForTopic, contractForType } from "../../../contracts/registry";
import { ALL_TOPICS } from "../../../contracts/topics";
import { ISO_INSTANT } from "../../../contracts/validator";
import { ORDER_ID, SAMPLE_PAYLOADS } from "./sample-payloads";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const byType = ALL_CONTRACTS.map((contract) => [contract.type, contract] as const);

describe("every contract round-trips through the wire", () => {
  it("has a sample payload for every registered contract", () => {
    expect(Object.keys(SAMPLE_PAYLOADS).sort()).toEqual(ALL_CONTRACTS.map((c) => c.type).sort());
  });

  test.each(byType)(
    "%s: envelope → JSON bytes → decode gives back the same message",
    (type, contract) => {
      const payload = SAMPLE_PAYLOADS[type];
      const envelope = contract.envelope(payload, {
        correlationId: ORDER_ID,
        causationId: "request-7",
      });
      const decoded = decodeMessage(Buffer.from(JSON.stringify(envelope)), contract);

      if (!decoded.ok) throw new Error(`${type} did not decode: ${decoded.failure.message}`);
      expect(decoded.envelope).toEqual(envelope);
      expect(decoded.envelope.payload).toEqual(payload);
      expect(decoded.envelope.messageId).toMatch(UUID);
      expect(decoded.envelope.type).toBe(type);
      expect(decoded.envelope.version).toBe(contract.version);
      expect(decoded.envelope.occurredAt).toMatch(ISO_INSTANT);
      expect(new Date(decoded.envelope.occurredAt).toISOString()).toBe(decoded.envelope.occurredAt);
      expect(decoded.envelope.correlationId).toBe(ORDER_ID);
      expect(decoded.envelope.causationId).toBe("request-7");
    },
  );

  test.each(byType)("%s: a given messageId and occurredAt are kept", (type, contract) => {
    const envelope = contract.envelope(SAMPLE_PAYLOADS[type], {
      correlationId: ORDER_ID,
      causationId: "c",
      messageId: "0b6f1d2e-3c4a-4b5d-8e6f-7a8b9c0d1e2f",
      occurredAt: new Date("2025-03-04T05:06:07.089Z"),
    });
    const decoded = decodeMessage(JSON.stringify(envelope), contract);
    expect(decoded).toEqual({
      ok: true,
      envelope: expect.objectContaining({
        messageId: "0b6f1d2e-3c4a-4b5d-8e6f-7a8b9c0d1e2f",
        occurredAt: "2025-03-04T05:06:07.089Z",
      }),
    });
  });

  test.each(byType)("%s: each envelope gets a fresh messageId", (type, contract) => {
    const context = { correlationId: ORDER_ID, causationId: "c" };
    const first = contract.envelope(SAMPLE_PAYLOADS[type], context);
    expect(contract.envelope(SAMPLE_PAYLOADS[type], context).messageId).not.toBe(first.messageId);
  });
});

describe("the contract registry", () => {
  it("gives every topic exactly one contract and every contract a known topic", () => {
    expect(ALL_CONTRACTS.map((c) => c.topic).sort()).toEqual([...ALL_TOPICS].sort());
    for (const contract of ALL_CONTRACTS) {
      expect(contractForTopic(contract.topic)).toBe(contract);
      expect(contractForType(contract.type)).toBe(contract);
    }
  });

  it("knows no contract for an unknown topic or type", () => {
    expect(contractForTopic("order.shipped")).toBeUndefined();
    expect(contractForType("OrderShipped")).toBeUndefined();
  });
});
