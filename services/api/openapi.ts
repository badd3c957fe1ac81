import { OrderStatus } from "../order/domain/order-status";
import { OPENAPI_COMPONENTS, schemaRef } from "./openapi-schemas";
import { MAX_BODY_DEPTH } from "./request-body";

/**
 * The HTTP API as OpenAPI 3.1, served at `GET /openapi.json` (and as a page at `GET /docs`).
 * Written next to the routes it describes; test/broker/openapi.spec.ts holds the two together:
 * every route the gateway serves is here, and every answer it gives matches its schema here.
 */
const json = (schema: object, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const error = (description: string) => json(schemaRef("Error"), description);
const jsonBody = (schema: object, required: boolean) => ({
  required,
  content: { "application/json": { schema } },
});

const orderIdParameter = {
  name: "orderId",
  in: "path",
  required: true,
  schema: { type: "string", format: "uuid" },
};

/** Any route, past RATE_LIMIT_RPS requests a second from one customer (or one address). */
const rateLimited = error(
  "Too many requests this second from this customer (or, without a valid token, this address); retry after Retry-After",
);

const unauthorized = error("No valid bearer token (WWW-Authenticate: Bearer)");

/** What every admin route can answer besides its own. */
const adminErrors = {
  "401": unauthorized,
  "403": error("The token's roles do not include admin"),
  "429": rateLimited,
  "503": error("A service or its database is unavailable"),
};

const serviceParameter = {
  name: "service",
  in: "path",
  required: true,
  schema: schemaRef("DeadLetterOwner"),
};
const deadLetterIdParameter = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "integer", minimum: 1 },
};

/** What every read of one order can answer besides its 200. */

const readErrors = {
  "400": error("The order id is not a uuid"),
  "401": unauthorized,
  "404": error("No such order, another customer's, or no saga / payment for it yet"),
  "429": rateLimited,
  "503": error("The service or its database is unavailable; retry after Retry-After"),
};

export const OPENAPI = {
  openapi: "3.1.0",
  info: {
    title: "Distributed OMS",
    version: "0.1.0",
    description:
      "Places orders and reports how each ended. Every error has one shape (Error). OPTIONS on " +
      "any path answers 204 with Allow; HEAD is GET without a body; a method a path does not " +
      "serve is a 405 with Allow. Bodies are UTF-8 JSON, optionally gzip, deflate, br or zstd " +
      `encoded, nested at most ${MAX_BODY_DEPTH} levels, without repeated keys, NUL characters ` +
      "or lone surrogates (each a 400).",
  },
  // Every route needs a bearer token (a JWT whose `sub` is the customer), but those that say
  // `security: []`: health and this description.
  security: [{ bearer: [] }],
  paths: {
    "/orders": {
      post: {
        operationId: "placeOrder",
        summary: "Place an order",
        parameters: [
          {
            name: "Idempotency-Key",
            in: "header",
            required: false,
            description:
              "The same key with the same body returns the same order (Idempotent-Replayed: true); with another body, 409.",
            schema: { type: "string", pattern: "^[\\x21-\\x7e]{1,255}$" },
          },
        ],
        requestBody: jsonBody(schemaRef("OrderRequest"), true),
        responses: {
          "201": json(
            schemaRef("OrderPlaced"),
            "Placed; its saga runs on (Location: /orders/{id})",
          ),
          "400": error("Validation failed: `errors` names each field"),
          "401": unauthorized,
          "409": error("The Idempotency-Key was used with another body"),
          "413": error("The body is larger than HTTP_BODY_LIMIT"),
          "415": error("Not application/json, or an unknown Content-Encoding"),
          "429": rateLimited,
          "503": error("A service, its database or the broker is unavailable"),
        },
      },
      get: {
        operationId: "listOrders",
        summary: "Orders, newest first, a page at a time: the caller's own; an admin's, everyone's",
        parameters: [
          {
            name: "status",
            in: "query",
            schema: { type: "string", enum: Object.values(OrderStatus) },
          },
          { name: "pageSize", in: "query", schema: { type: "integer", minimum: 1, maximum: 100 } },
          {
            name: "cursor",
            in: "query",
            description: "The nextCursor of the page before",
            schema: { type: "string" },
          },
        ],
        responses: {
          "200": json(schemaRef("OrderPage"), "A page"),
          "400": error("An unknown status, a pageSize out of range, a cursor not written here"),
          "401": unauthorized,
          "429": rateLimited,
          "503": error("The order service is unavailable"),
        },
      },
    },
    "/orders/{orderId}": {
      get: {
        operationId: "getOrder",
        summary: "The order, its items, total and status",
        parameters: [orderIdParameter],
        responses: { "200": json(schemaRef("Order"), "The order"), ...readErrors },
      },
    },
    "/orders/{orderId}/cancel": {
      post: {
        operationId: "cancelOrder",
        summary: "Cancel a pending order (its owner, or an admin)",
        description:
          "The order is CANCELLED at once with the reason; its saga then cancels the payment, or refunds it if it was charged (GET /orders/{orderId}/saga shows COMPENSATING, then COMPENSATED). The body is optional.",
        parameters: [orderIdParameter],
        requestBody: jsonBody(schemaRef("CancelRequest"), false),
        responses: {
          "200": json(schemaRef("OrderCancelled"), "Cancelled"),
          "400": error("The order id is not a uuid, or the reason is not 1 to 200 characters"),
          "401": unauthorized,
          "404": error("No such order, or another customer's"),
          "409": error("The order has already ended (CONFIRMED or CANCELLED)"),
          "429": rateLimited,
          "503": error("The order service or its database is unavailable"),
        },
      },
    },
    "/orders/{orderId}/saga": {
      get: {
        operationId: "getSaga",
        summary: "The order's saga: its state and every transition",
        parameters: [orderIdParameter],
        responses: { "200": json(schemaRef("Saga"), "The saga"), ...readErrors },
      },
    },
    "/orders/{orderId}/payment": {
      get: {
        operationId: "getPayment",
        summary: "The order's payment",
        parameters: [orderIdParameter],
        responses: { "200": json(schemaRef("Payment"), "The payment"), ...readErrors },
      },
    },
    "/admin/dead-letters": {
      get: {
        operationId: "listDeadLetters",
        summary: "Dead letters of every service (or one), newest first (admin)",
        parameters: [
          { name: "service", in: "query", schema: schemaRef("DeadLetterOwner") },
          {
            name: "topic",
            in: "query",
            description: "Their source topic",
            schema: { type: "string" },
          },
          {
            name: "state",
            in: "query",
            description: "open (the default): not resolved; resolved; all",
            schema: { type: "string", enum: ["open", "resolved", "all"] },
          },
          {
            name: "limit",
            in: "query",
            description: "Rows per service (default 20)",
            schema: { type: "integer", minimum: 1, maximum: 500 },
          },
        ],
        responses: {
          "200": json(schemaRef("DeadLetterList"), "The dead letters"),
          "400": error("An unknown service or state, a limit out of range"),
          ...adminErrors,
        },
      },
    },
    "/admin/dead-letters/{service}/replay": {
      post: {
        operationId: "replayTopicDeadLetters",
        summary: "Replay every open dead letter of a topic not replayed yet (admin)",
        parameters: [serviceParameter],
        requestBody: jsonBody(
          {
            type: "object",
            required: ["topic"],
            additionalProperties: false,
            properties: { topic: { type: "string", minLength: 1 } },
          },
          true,
        ),
        responses: {
          "200": json(
            {
              type: "object",
              required: ["topic", "replayed"],
              properties: { topic: { type: "string" }, replayed: { type: "integer" } },
            },
            "How many were sent back to the topic",
          ),
          "400": error("An unknown service, no topic"),
          ...adminErrors,
        },
      },
    },
    "/admin/dead-letters/{service}/{id}/replay": {
      post: {
        operationId: "replayDeadLetter",
        summary: "Send one dead letter back to its source topic, as it arrived (admin)",
        parameters: [serviceParameter, deadLetterIdParameter],
        responses: {
          "200": json(
            {
              type: "object",
              required: ["replayed", "topic"],
              properties: { replayed: { type: "integer" }, topic: { type: "string" } },
            },
            "Replayed",
          ),
          "400": error("An unknown service, an id that is not a positive integer"),
          "404": error("No such dead letter in that service"),
          "409": error("The dead letter is resolved: it is closed"),
          ...adminErrors,
        },
      },
    },
    "/admin/dead-letters/{service}/{id}/resolve": {
      post: {
        operationId: "resolveDeadLetter",
        summary: "Close a dead letter: it is never replayed, and leaves the open list (admin)",
        parameters: [serviceParameter, deadLetterIdParameter],
        requestBody: jsonBody(
          {
            type: "object",
            additionalProperties: false,
            properties: { note: { type: "string", minLength: 1, maxLength: 500 } },
          },
          false,
        ),
        responses: {
          "200": json(schemaRef("DeadLetter"), "Resolved (the first resolver is kept)"),
          "400": error("An unknown service, an id that is not a positive integer"),
          "404": error("No such dead letter in that service"),
          ...adminErrors,
        },
      },
    },
    "/health/live": {
      get: {
        operationId: "live",
        security: [],
        summary: "Liveness: the process runs and its event loop is not stalled",
        responses: {
          "200": json(schemaRef("Live"), "Live"),
          "429": rateLimited,
          "503": error("The event loop was blocked recently"),
        },
      },
    },
    "/health/ready": {
      get: {
        operationId: "ready",
        security: [],
        summary: "Readiness: every service reaches its database and the bus",
        responses: {
          "200": json(schemaRef("Ready"), "Ready"),
          "429": rateLimited,
          "503": error("Not ready: `errors` names what is down"),
        },
      },
    },
    "/openapi.json": {
      get: {
        operationId: "openapi",
        security: [],
        summary: "This document",
        responses: { "200": json({ type: "object" }, "OpenAPI 3.1"), "429": rateLimited },
      },
    },
    "/asyncapi.json": {
      get: {
        operationId: "asyncapi",
        security: [],
        summary: "The topics, their messages and dead-letter topics (AsyncAPI 3.0)",
        responses: { "200": json({ type: "object" }, "AsyncAPI 3.0"), "429": rateLimited },
      },
    },
    "/docs": {
      get: {
        operationId: "docs",
        security: [],
        summary: "This document as a page",
        responses: {
          "200": { description: "HTML", content: { "text/html": { schema: { type: "string" } } } },
          "429": rateLimited,
        },
      },
    },
  },
  components: OPENAPI_COMPONENTS,
} as const;
