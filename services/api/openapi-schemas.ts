import { MAX_ITEMS_PER_ORDER } from "../order/domain/order.aggregate";
import { MAX_UNIT_PRICE } from "../order/domain/order-item.value-object";
import { OrderStatus } from "../order/domain/order-status";
import { MAX_QUANTITY_PER_LINE } from "../order/domain/quantity.value-object";
import { PaymentStatus } from "../payment/domain/payment-status";
import { SagaState } from "../saga/domain/saga-state";
import { DATABASE_OWNERS } from "../shared/config/config";

/**
 * The shapes of the HTTP API's bodies and its security scheme: the `components` of the OpenAPI
 * document (openapi.ts). Limits and enums come from the domain, so the document cannot drift
 * from what the services accept.
 */
export const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const decimal = { type: "string", pattern: "^\\d+\\.\\d{2}$", examples: ["999.00"] };
const timestamp = { type: "string", format: "date-time" };
const nullableText = { type: ["string", "null"] };

export const OPENAPI_COMPONENTS = {
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
        schemaRef("OrderSummary"),
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
        rows: { type: "array", items: schemaRef("OrderSummary") },
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
      properties: { rows: { type: "array", items: schemaRef("DeadLetter") } },
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
        service: schemaRef("DeadLetterOwner"),
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
} as const;
