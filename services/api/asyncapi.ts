import {
  ALL_CONTRACTS,
  DEAD_LETTER_SUFFIX,
  deadLetterTopicOf,
  type MessageContract,
} from "../../contracts";
import { DLT_HEADERS } from "../shared/messaging/dead-letters";
import { toJsonSchema, type JsonSchema } from "./json-schema";

/**
 * The topics as AsyncAPI 3.0, served at `GET /asyncapi.json`: made from `contracts/` when asked,
 * so it cannot drift from them (each payload schema is the contract's own fastest-validator
 * schema, translated by json-schema.ts). For each contract: its channel (the topic, keyed by
 * orderId), its message (the envelope with the contract's type, version and payload), the record
 * headers the relay writes; and the channel's dead-letter topic with the headers that say why.
 * test/broker/asyncapi.spec.ts checks it against the contracts and against real messages.
 */
export function asyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const contract of ALL_CONTRACTS) {
    const name = contract.type;
    messages[name] = messageOf(contract);
    messages[`${name}DeadLetter`] = {
      name: `${name}DeadLetter`,
      title: `${name}, dead-lettered`,
      summary: `A ${name} record its consumer could not handle, with the reason in its headers (the value is the record as it arrived, which may not be a valid ${name}).`,
      headers: { $ref: "#/components/schemas/DeadLetterHeaders" },
      payload: {},
    };
    channels[name] = {
      address: contract.topic,
      title: contract.topic,
      description: `${contract.kind === "event" ? "Event" : "Command"} ${name} v${contract.version}. Keyed by orderId: one order's messages stay in order.`,
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
    };
    channels[`${name}DeadLetter`] = {
      address: deadLetterTopicOf(contract.topic),
      title: deadLetterTopicOf(contract.topic),
      description: `Where the consumers of ${contract.topic} park what they cannot handle (listed and replayed with the REPL).`,
      messages: { [`${name}DeadLetter`]: { $ref: `#/components/messages/${name}DeadLetter` } },
    };
  }
  return {
    asyncapi: "3.0.0",
    info: {
      title: "Distributed OMS topics",
      version: "0.1.0",
      description: `Every business message travels in one envelope (Envelope). Each topic carries one contract; its dead letters go to <topic>${DEAD_LETTER_SUFFIX}. Topic names get KAFKA_TOPIC_PREFIX in front when it is set.`,
    },
    defaultContentType: "application/json",
    servers: {
      kafka: {
        host: "localhost:9092",
        protocol: "kafka",
        description: "KAFKA_BROKERS (distributed mode); the in-process bus keeps the same contract",
      },
    },
    channels,
    components: {
      messages,
      schemas: {
        Envelope: ENVELOPE,
        RecordHeaders: RECORD_HEADERS,
        DeadLetterHeaders: DEAD_LETTER_HEADERS,
      },
    },
  };
}

function messageOf(contract: MessageContract<unknown>): Record<string, unknown> {
  return {
    name: contract.type,
    title: contract.type,
    summary: `${contract.kind} ${contract.type}, version ${contract.version}`,
    headers: { $ref: "#/components/schemas/RecordHeaders" },
    payload: {
      allOf: [
        { $ref: "#/components/schemas/Envelope" },
        {
          type: "object",
          properties: {
            type: { const: contract.type },
            version: { const: contract.version },
            payload: toJsonSchema(contract.schema),
          },
        },
      ],
    },
    bindings: {
      kafka: {
        key: { type: "string", format: "uuid", description: "the orderId" },
        bindingVersion: "0.5.0",
      },
    },
  };
}

const text = (description: string): JsonSchema => ({ type: "string", description });

const ENVELOPE: JsonSchema = {
  type: "object",
  required: [
    "messageId",
    "type",
    "version",
    "occurredAt",
    "correlationId",
    "causationId",
    "payload",
  ],
  properties: {
    messageId: {
      type: "string",
      format: "uuid",
      description: "Consumers drop a second copy by it",
    },
    type: { type: "string", minLength: 1, maxLength: 100 },
    version: { type: "integer", minimum: 1 },
    occurredAt: { type: "string", format: "date-time" },
    correlationId: { type: "string", minLength: 1, maxLength: 200, description: "The orderId" },
    causationId: {
      type: "string",
      minLength: 1,
      maxLength: 200,
      description: "The message or request that caused this one",
    },
    traceparent: {
      type: "string",
      maxLength: 512,
      description: "W3C Trace Context of the span that wrote it (ignored when unreadable)",
    },
    payload: { type: "object" },
  },
};

const RECORD_HEADERS: JsonSchema = {
  type: "object",
  properties: {
    "message-id": text("The envelope's messageId"),
    "message-type": text("The envelope's type"),
    "content-type": { const: "application/json" },
    traceparent: text("W3C Trace Context of the relay's publish span"),
  },
};

const DEAD_LETTER_HEADERS: JsonSchema = {
  type: "object",
  description: "The original record's headers, and these",
  required: Object.values(DLT_HEADERS),
  properties: {
    [DLT_HEADERS.errorCode]: text(
      "MALFORMED_JSON, INVALID_ENVELOPE, SCHEMA_VIOLATION, …, HANDLER_FAILED, or a rejection's code",
    ),
    [DLT_HEADERS.errorMessage]: text("What was wrong (at most 1,000 characters)"),
    [DLT_HEADERS.sourceTopic]: text("The topic it came from"),
    [DLT_HEADERS.sourcePartition]: text("Its partition"),
    [DLT_HEADERS.sourceOffset]: text("Its offset"),
    [DLT_HEADERS.consumerGroup]: text("The group that gave up on it"),
    [DLT_HEADERS.attempts]: text("How many times it was tried"),
    [DLT_HEADERS.failedAt]: text("When (ISO-8601)"),
  },
};
