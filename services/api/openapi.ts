import { MAX_ITEMS_PER_ORDER } from "../order/domain/order.aggregate";
import { MAX_UNIT_PRICE } from "../order/domain/order-item.value-object";
import { OrderStatus } from "../order/domain/order-status";
import { MAX_QUANTITY_PER_LINE } from "../order/domain/quantity.value-object";
import { PaymentStatus } from "../payment/domain/payment-status";
import { SagaState } from "../saga/domain/saga-state";
import { DATABASE_OWNERS } from "../shared/config/config";
import { MAX_BODY_DEPTH } from "./request-body";

/**
 * The HTTP API as OpenAPI 3.1, served at `GET /openapi.json` (and as a page at `GET /docs`).
 * Written next to the routes it describes; test/broker/openapi.spec.ts holds the two together:
 * every route the gateway serves is here, and every answer it gives matches its schema here.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const error = (description: string) => json(ref("Error"), description);
const jsonBody = (schema: object, required: boolean) => ({
  required,
  content: { "application/json": { schema } },
});
const decimal = { type: "string", pattern: "^\\d+\\.\\d{2}$", examples: ["999.00"] };
const timestamp = { type: "string", format: "date-time" };
const nullableText = { type: ["string", "null"] };

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
  schema: ref("DeadLetterOwner"),
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
        requestBody: jsonBody(ref("OrderRequest"), true),
        responses: {
          "201": json(ref("OrderPlaced"), "Placed; its saga runs on (Location: /orders/{id})"),
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
          "200": json(ref("OrderPage"), "A page"),
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
        responses: { "200": json(ref("Order"), "The order"), ...readErrors },
      },
    },
    "/orders/{orderId}/cancel": {
      post: {
        operationId: "cancelOrder",
        summary: "Cancel a pending order (its owner, or an admin)",
        description:
          "The order is CANCELLED at once with the reason; its saga then cancels the payment, or refunds it if it was charged (GET /orders/{orderId}/saga shows COMPENSATING, then COMPENSATED). The body is optional.",
        parameters: [orderIdParameter],
        requestBody: jsonBody(ref("CancelRequest"), false),
        responses: {
          "200": json(ref("OrderCancelled"), "Cancelled"),
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
        responses: { "200": json(ref("Saga"), "The saga"), ...readErrors },
      },
    },
    "/orders/{orderId}/payment": {
      get: {
        operationId: "getPayment",
        summary: "The order's payment",
        parameters: [orderIdParameter],
        responses: { "200": json(ref("Payment"), "The payment"), ...readErrors },
      },
    },
    "/admin/dead-letters": {
      get: {
        operationId: "listDeadLetters",
        summary: "Dead letters of every service (or one), newest first (admin)",
        parameters: [
          { name: "service", in: "query", schema: ref("DeadLetterOwner") },
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
          "200": json(ref("DeadLetterList"), "The dead letters"),
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
          "200": json(ref("DeadLetter"), "Resolved (the first resolver is kept)"),
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
          "200": json(ref("Live"), "Live"),
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
          "200": json(ref("Ready"), "Ready"),
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
  components: {
    securitySchemes: {
      bearer: {
        type: "http",
        scheme: "bearer",
        bearerFormat: "JWT",
        description:
          "Signed with AUTH_JWT_SECRET (HS256) or a key of AUTH_JWKS; `sub` is the customer, `roles` may hold `admin`; issuer AUTH_ISSUER, audience AUTH_AUDIENCE.",
      },
    },
    schemas: {
      Error: {
        type: "object",
        required: ["status", "message", "timestamp"],
        additionalProperties: false,
        properties: {
          status: { type: "integer", minimum: 400, maximum: 599 },
          message: { type: "string" },
          errors: {
            type: "object",
            description: "By field path: items, items[0].price, body, Idempotency-Key",
            additionalProperties: { type: "string" },
          },
          timestamp,
        },
      },
      OrderRequest: {
        type: "object",
        required: ["items"],
        additionalProperties: false,
        properties: {
          items: {
            type: "array",
            minItems: 1,
            maxItems: MAX_ITEMS_PER_ORDER,
            items: {
              type: "object",
              required: ["productId", "quantity", "price"],
              additionalProperties: false,
              properties: {
                productId: { type: "string", minLength: 1, maxLength: 64 },
                quantity: { type: "integer", minimum: 1, maximum: MAX_QUANTITY_PER_LINE },
                price: {
                  type: "number",
                  exclusiveMinimum: 0,
                  maximum: MAX_UNIT_PRICE,
                  description: "At most 2 decimals",
                },
              },
            },
          },
        },
      },
      OrderPlaced: {
        type: "object",
        required: ["orderId", "status"],
        additionalProperties: false,
        properties: {
          orderId: { type: "string", format: "uuid" },
          status: { const: OrderStatus.Pending },
        },
      },
      CancelRequest: {
        type: "object",
        additionalProperties: false,
        properties: { reason: { type: "string", minLength: 1, maxLength: 200 } },
      },
      OrderCancelled: {
        type: "object",
        required: ["orderId", "status", "cancellationReason"],
        additionalProperties: false,
        properties: {
          orderId: { type: "string", format: "uuid" },
          status: { const: OrderStatus.Cancelled },
          cancellationReason: {
            type: "string",
            examples: ["cancelled by the customer: changed my mind"],
          },
        },
      },
      OrderSummary: {
        type: "object",
        required: [
          "orderId",
          "customerId",
          "status",
          "total",
          "currency",
          "cancellationReason",
          "createdAt",
          "updatedAt",
        ],
        properties: {
          orderId: { type: "string", format: "uuid" },
          customerId: {
            type: ["string", "null"],
            description: "Who placed it (the token's sub); null for orders from before owners",
          },
          status: { type: "string", enum: Object.values(OrderStatus) },
          total: decimal,
          currency: { type: "string", pattern: "^[A-Z]{3}$" },
          cancellationReason: nullableText,
          createdAt: timestamp,
          updatedAt: timestamp,
        },
      },
      Order: {
        allOf: [
          ref("OrderSummary"),
          {
            type: "object",
            required: ["items"],
            properties: {
              items: {
                type: "array",
                items: {
                  type: "object",
                  required: ["productId", "quantity", "unitPrice", "lineTotal"],
                  additionalProperties: false,
                  properties: {
                    productId: { type: "string" },
                    quantity: { type: "integer" },
                    unitPrice: decimal,
                    lineTotal: decimal,
                  },
                },
              },
            },
          },
        ],
      },
      OrderPage: {
        type: "object",
        required: ["rows", "pageSize", "nextCursor"],
        additionalProperties: false,
        properties: {
          rows: { type: "array", items: ref("OrderSummary") },
          pageSize: { type: "integer" },
          nextCursor: { type: ["string", "null"], description: "null on the last page" },
        },
      },
      Saga: {
        type: "object",
        required: ["orderId", "state", "finished", "transitions"],
        additionalProperties: false,
        properties: {
          orderId: { type: "string", format: "uuid" },
          state: { type: "string", enum: Object.values(SagaState) },
          amount: decimal,
          currency: { type: "string" },
          failureReason: nullableText,
          finished: { type: "boolean" },
          createdAt: timestamp,
          updatedAt: timestamp,
          transitions: {
            type: "array",
            items: {
              type: "object",
              required: ["from", "to", "at", "causationId", "note"],
              additionalProperties: false,
              properties: {
                from: { type: ["string", "null"] },
                to: { type: "string", enum: Object.values(SagaState) },
                at: timestamp,
                causationId: { type: "string" },
                note: nullableText,
              },
            },
          },
        },
      },
      Payment: {
        type: "object",
        required: ["paymentId", "orderId", "status", "amount", "currency"],
        additionalProperties: false,
        properties: {
          paymentId: { type: "string", format: "uuid" },
          orderId: { type: "string", format: "uuid" },
          status: { type: "string", enum: Object.values(PaymentStatus) },
          amount: decimal,
          currency: { type: "string" },
          providerReference: nullableText,
          failureReason: nullableText,
          createdAt: timestamp,
          updatedAt: timestamp,
        },
      },
      DeadLetterOwner: {
        type: "string",
        enum: [...DATABASE_OWNERS],
        description: "The service that consumed the record and keeps the dead letter",
      },
      DeadLetterList: {
        type: "object",
        required: ["rows"],
        additionalProperties: false,
        properties: { rows: { type: "array", items: ref("DeadLetter") } },
      },
      DeadLetter: {
        type: "object",
        required: [
          "id",
          "sourceTopic",
          "headers",
          "errorCode",
          "errorMessage",
          "failedAt",
          "replayCount",
        ],
        properties: {
          service: ref("DeadLetterOwner"),
          id: { type: "integer" },
          consumerGroup: { type: "string" },
          sourceTopic: { type: "string" },
          sourcePartition: { type: "integer" },
          sourceOffset: { type: "string" },
          key: nullableText,
          value: { type: ["string", "null"], description: "The record as it arrived, as text" },
          headers: {
            type: "object",
            description: "The record's headers and the dlt-* error headers of its DLT record",
            additionalProperties: { type: "string" },
          },
          errorCode: { type: "string" },
          errorMessage: { type: "string" },
          attempts: { type: "integer" },
          failedAt: timestamp,
          replayedAt: { type: ["string", "null"], format: "date-time" },
          replayedBy: nullableText,
          replayCount: { type: "integer", minimum: 0 },
          resolvedAt: { type: ["string", "null"], format: "date-time" },
          resolvedBy: nullableText,
          resolution: nullableText,
        },
      },
      Live: {
        type: "object",
        required: ["status"],
        properties: { status: { const: "UP" } },
      },
      Ready: {
        type: "object",
        required: ["status", "checks"],
        properties: {
          status: { const: "UP" },
          checks: {
            type: "object",
            additionalProperties: {
              type: "object",
              required: ["status", "database", "bus", "outboxParked"],
              properties: {
                status: { const: "UP" },
                database: { const: "UP" },
                bus: { enum: ["in-process", "kafka"] },
                outboxParked: { type: "integer", minimum: 0 },
              },
            },
          },
        },
      },
    },
  },
} as const;
