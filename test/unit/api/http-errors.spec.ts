import { Errors } from "moleculer";
import { Errors as GatewayErrors } from "moleculer-web";
import { toErrorBody } from "../../../services/api/http-errors";
import { DomainError } from "../../../services/shared/domain/domain-error";
import { toServiceError } from "../../../services/shared/runtime/domain-errors";

const NOW = new Date("2025-01-01T10:00:00.000Z");

describe("toErrorBody: domain errors crossing the broker", () => {
  it("INVALID_ORDER is a 400 with the domain's field errors", () => {
    const error = toServiceError(
      new DomainError("INVALID_ORDER", "Validation failed", {
        "items[0].quantity": "too many",
      }),
    );
    expect(toErrorBody(error, NOW)).toEqual({
      status: 400,
      message: "Validation failed",
      errors: { "items[0].quantity": "too many" },
      timestamp: NOW.toISOString(),
    });
  });

  it.each([
    ["ORDER_NOT_FOUND", 404],
    ["SAGA_NOT_FOUND", 404],
    ["IDEMPOTENCY_KEY_REUSED", 409],
  ])("%s is a %p keeping the error's message", (code, status) => {
    expect(toErrorBody(toServiceError(new DomainError(code, "what went wrong")), NOW)).toEqual({
      status,
      message: "what went wrong",
      timestamp: NOW.toISOString(),
    });
  });
});

describe("toErrorBody: request shape refused by the gateway", () => {
  it("a wrong Content-Type is a 415 keeping the message", () => {
    const error = new Errors.MoleculerClientError(
      "Content-Type must be application/json",
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    expect(toErrorBody(error, NOW)).toEqual({
      status: 415,
      message: "Content-Type must be application/json",
      timestamp: NOW.toISOString(),
    });
  });
});

describe("toErrorBody: body-parser failures", () => {
  it.each([
    ["entity.parse.failed", 400, "Request body is not valid JSON"],
    ["entity.too.large", 413, "Request body is too large"],
  ])("%s is a %p with a fixed message", (type, status, message) => {
    const error = Object.assign(new Error("Unexpected token } in JSON at position 7"), {
      type,
      status,
    });
    expect(toErrorBody(error, NOW)).toEqual({ status, message, timestamp: NOW.toISOString() });
  });
});

describe("toErrorBody: unavailable and unknown", () => {
  it("NOT_READY is a 503 'Not ready' with the failing checks", () => {
    const error = new Errors.MoleculerError("not ready", 503, "NOT_READY", {
      errors: { database: "down" },
    });
    expect(toErrorBody(error, NOW)).toEqual({
      status: 503,
      message: "Not ready",
      errors: { database: "down" },
      timestamp: NOW.toISOString(),
    });
  });

  it("a service that is not available is a 503 without internals", () => {
    const body = toErrorBody(new Errors.ServiceNotAvailableError({ action: "order.create" }), NOW);
    expect(body).toEqual({
      status: 503,
      message: "Service temporarily unavailable",
      timestamp: NOW.toISOString(),
    });
  });

  it.each([
    [
      "a request rejected by a node just declared dead",
      new Errors.RequestRejectedError({ action: "order.create", nodeID: "order-1" }),
    ],
    [
      "an unreachable database",
      new Errors.MoleculerRetryableError("db", 503, "DATABASE_UNAVAILABLE"),
    ],
    [
      "the Kafka client giving up (transporter)",
      Object.assign(new Error("Cannot connect to any broker."), {
        name: "MultipleErrors",
        code: "PLT_KFK_MULTIPLE",
      }),
    ],
  ])("%s is a 503 without internals", (_, thrown) => {
    expect(toErrorBody(thrown, NOW)).toEqual({
      status: 503,
      message: "Service temporarily unavailable",
      timestamp: NOW.toISOString(),
    });
  });

  it.each([
    [
      "an Error with a database message",
      new Error('relation "orders" does not exist at SELECT * FROM orders'),
    ],
    ["a thrown string", "boom"],
    ["null", null],
  ])("%s is a bare 500 that leaks no message or stack", (_, thrown) => {
    const body = toErrorBody(thrown, NOW);
    expect(body).toEqual({
      status: 500,
      message: "Internal server error",
      timestamp: NOW.toISOString(),
    });
    expect(JSON.stringify(body)).not.toMatch(/orders|stack|boom/);
  });

  it("stamps the current time as an ISO string by default", () => {
    const before = Date.now();
    const { timestamp } = toErrorBody(new Error("x"));
    expect(new Date(timestamp).toISOString()).toBe(timestamp);
    expect(Date.parse(timestamp)).toBeGreaterThanOrEqual(before);
  });
});

describe("moleculer-web's own errors", () => {
  it("maps ServiceUnavailableError (a service still starting) to 503, not 500", () => {
    expect(
      toErrorBody(new GatewayErrors.ServiceUnavailableError(undefined as unknown as string)),
    ).toMatchObject({
      status: 503,
      message: "Service temporarily unavailable",
    });
  });

  it("keeps a plain error with a status-like code a 500", () => {
    expect(toErrorBody(Object.assign(new Error("db down"), { code: 503 }))).toMatchObject({
      status: 500,
      message: "Internal server error",
    });
  });
});
