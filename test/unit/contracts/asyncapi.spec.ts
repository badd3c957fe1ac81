import Ajv2020 from "ajv/dist/2020";
import {
  ALL_CONTRACTS,
  ALL_TOPICS,
  deadLetterTopicOf,
  type MessageContract,
} from "../../../contracts";
import { asyncApiDocument } from "../../../services/api/asyncapi";
import { ORDER_ID, SAMPLE_PAYLOADS } from "./sample-payloads";

/**
 * The AsyncAPI document is made from the contracts, so it is in step with them by construction;
 * these tests hold the translation to account: every topic and its dead-letter topic is there,
 * every reference resolves, and each message's JSON Schema accepts what its contract accepts and
 * refuses what its contract refuses.
 */
const document = asyncApiDocument() as {
  asyncapi: string;
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  components: { messages: Record<string, { payload: object }> };
};
const DOCUMENT = "https://oms.example/asyncapi.json";
const ajv = new Ajv2020({ strict: false, validateFormats: false });
ajv.addSchema({ $id: DOCUMENT, ...JSON.parse(JSON.stringify(document)) });
const payloadSchemaOf = (type: string) =>
  ajv.compile({ $ref: `${DOCUMENT}#/components/messages/${type}/payload` });

const envelopeOf = (contract: MessageContract<unknown>, payload: unknown) =>
  JSON.parse(
    JSON.stringify(contract.envelope(payload, { correlationId: ORDER_ID, causationId: "test" })),
  ) as Record<string, unknown>;

describe("the AsyncAPI document", () => {
  it("is AsyncAPI 3.0 with one channel per topic and one per dead-letter topic", () => {
    expect(document.asyncapi).toBe("3.0.0");
    const addresses = Object.values(document.channels).map((channel) => channel.address);
    expect(addresses.sort()).toEqual([...ALL_TOPICS, ...ALL_TOPICS.map(deadLetterTopicOf)].sort());
  });

  it("resolves every reference it makes", () => {
    const refs = JSON.stringify(document).match(/"\$ref":"#\/[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const path = ref.slice('"$ref":"#/'.length, -1).split("/");
      let node: unknown = document;
      for (const part of path) node = (node as Record<string, unknown> | undefined)?.[part];
      expect({ ref, resolves: node !== undefined }).toEqual({ ref, resolves: true });
    }
  });

  it.each(ALL_CONTRACTS.map((contract) => [contract.type, contract] as const))(
    "%s: its schema accepts the contract's own messages and refuses what the contract refuses",
    (type, contract) => {
      const validate = payloadSchemaOf(type);
      const good = SAMPLE_PAYLOADS[type];
      expect(contract.checkPayload(good).ok).toBe(true);
      expect(validate(envelopeOf(contract, good))).toBe(true);

      const broken = [
        { ...(good as object), orderId: "not-a-uuid" },
        Object.fromEntries(Object.entries(good as object).filter(([key]) => key !== "orderId")),
      ];
      for (const payload of broken) {
        expect(contract.checkPayload(payload).ok).toBe(false);
        expect(validate(envelopeOf(contract, payload))).toBe(false);
      }
      // Another contract's type in the envelope is not this message.
      expect(validate({ ...envelopeOf(contract, good), type: "SomethingElse" })).toBe(false);
    },
  );
});
