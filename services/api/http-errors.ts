import { OrderErrorCode } from "../order/domain/order.errors";
import { PaymentErrorCode } from "../payment/domain/payment.errors";
import { SagaErrorCode } from "../saga/domain/saga.errors";
import { DEAD_LETTER_NOT_FOUND, DEAD_LETTER_RESOLVED } from "../shared/messaging/dead-letters";
import { ADMIN_REQUIRED } from "../shared/runtime/operations.mixin";

/** The one error shape every route answers with. */
export interface ErrorBody {
  status: number;
  message: string;
  errors?: Record<string, string>;
  timestamp: string;
}

/** The gateway's own error codes (each context names its codes in its errors module). */
export const GatewayErrorCode = {
  Validation: "VALIDATION_ERROR",
  UnsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
  MethodNotAllowed: "METHOD_NOT_ALLOWED",
  Unauthorized: "UNAUTHORIZED",
  NotReady: "NOT_READY",
  NotLive: "NOT_LIVE",
} as const;

/** Error codes → HTTP statuses, decided here and nowhere else. */
const STATUS_BY_CODE: Record<string, number> = {
  [GatewayErrorCode.Validation]: 400,
  MALFORMED_JSON: 400,
  [OrderErrorCode.InvalidOrder]: 400,
  [OrderErrorCode.NotFound]: 404,
  [PaymentErrorCode.NotFound]: 404,
  [SagaErrorCode.NotFound]: 404,
  [DEAD_LETTER_NOT_FOUND]: 404,
  [DEAD_LETTER_RESOLVED]: 409,
  [ADMIN_REQUIRED]: 403,
  NOT_FOUND: 404,
  [OrderErrorCode.IdempotencyKeyReused]: 409,
  [OrderErrorCode.AlreadyEnded]: 409,
  [GatewayErrorCode.Unauthorized]: 401,
  [GatewayErrorCode.MethodNotAllowed]: 405,
  PAYLOAD_TOO_LARGE: 413,
  [GatewayErrorCode.UnsupportedMediaType]: 415,
  [GatewayErrorCode.NotReady]: 503,
  [GatewayErrorCode.NotLive]: 503,
  SERVICE_NOT_FOUND: 503,
  SERVICE_NOT_AVAILABLE: 503,
  REQUEST_TIMEOUT: 503,
};

/** body-parser (inside moleculer-web) reports its failures with these `type`s. */
const BODY_PARSER_ERRORS: Record<string, { status: number; message: string }> = {
  "entity.parse.failed": { status: 400, message: "Request body is not valid JSON" },
  "entity.too.large": { status: 413, message: "Request body is too large" },
  "entity.verify.failed": { status: 400, message: "Request body was rejected" },
  "request.aborted": { status: 400, message: "Request was aborted" },
  "request.size.invalid": { status: 400, message: "Request size did not match Content-Length" },
  "encoding.unsupported": { status: 415, message: "Unsupported content encoding" },
  "charset.unsupported": { status: 415, message: "Unsupported charset" },
  "stream.encoding.set": { status: 500, message: "Internal server error" },
};

/** What the gateway knows about an error that reached it; Moleculer errors fit this shape. */
interface CaughtError {
  name?: string;
  message?: string;
  type?: string;
  code?: number | string;
  status?: number;
  data?: unknown;
  /** Moleculer's MoleculerRetryableError: the call may succeed if made again shortly. */
  retryable?: boolean;
}

/** Seconds a client is asked to wait before trying again after a 503. */
export const RETRY_AFTER_SECONDS = 2;

/**
 * Infrastructure that is unavailable right now, not a bug: Moleculer's retryable errors (a node
 * just declared dead rejects the request, no node offers the service, the broker's transporter
 * is disconnected, a database is unreachable) and the Kafka client's own failures when the
 * transporter cannot reach the broker (its codes start with PLT_KFK_).
 */
function isUnavailable(caught: CaughtError): boolean {
  return (
    caught.retryable === true ||
    (typeof caught.code === "string" && caught.code.startsWith("PLT_KFK_"))
  );
}

/**
 * Maps anything thrown behind a route to the error shape. Client mistakes keep their message;
 * anything else becomes a bare 500 or 503: never a stack trace or a database message.
 */
export function toErrorBody(error: unknown, now: Date = new Date()): ErrorBody {
  const caught = (error ?? {}) as CaughtError;
  const timestamp = now.toISOString();
  const parser = caught.type ? BODY_PARSER_ERRORS[caught.type] : undefined;
  if (parser) return { ...parser, timestamp };

  const status =
    (caught.type ? STATUS_BY_CODE[caught.type] : undefined) ??
    gatewayStatus(caught) ??
    (isUnavailable(caught) ? 503 : undefined);
  if (status === 400) {
    return { status, message: "Validation failed", errors: fieldErrors(caught.data), timestamp };
  }
  if (status === undefined && isUnreadableBody(caught)) {
    return { status: 400, message: "Request body could not be read", timestamp };
  }
  if (status === 503) {
    const errors = (caught.data as { errors?: Record<string, string> } | undefined)?.errors;
    return {
      status,
      message:
        caught.type === GatewayErrorCode.NotReady
          ? "Not ready"
          : caught.type === GatewayErrorCode.NotLive
            ? "Not live"
            : "Service temporarily unavailable",
      ...(errors && { errors }),
      timestamp,
    };
  }
  if (status === 401) {
    const errors = (caught.data as { errors?: Record<string, string> } | undefined)?.errors;
    return { status, message: "Unauthorized", ...(errors && { errors }), timestamp };
  }
  if (status !== undefined && status !== 500) {
    return { status, message: caught.message ?? "Request failed", timestamp };
  }
  return { status: 500, message: "Internal server error", timestamp };
}

/**
 * moleculer-web's own errors have a status `code` but no `type` (e.g. ServiceUnavailableError
 * while a service is still starting). Only the gateway's known statuses pass; anything else
 * stays a 500.
 */
/**
 * The body parser could not read the body, for a reason it has no type for: the body is not
 * compressed as its Content-Encoding says. moleculer-web hands such an error on as a
 * MoleculerError whose code is the decompressor's (Z_DATA_ERROR, ERR__ERROR_FORMAT_…,
 * ZSTD_error_…); actions never raise one with a text code.
 */
function isUnreadableBody(caught: CaughtError): boolean {
  return caught.name === "MoleculerError" && typeof caught.code === "string";
}

function gatewayStatus(caught: CaughtError): number | undefined {
  const gatewayErrors = [
    "NotFoundError",
    "ServiceUnavailableError",
    "BadRequestError",
    "PayloadTooLarge",
    "RateLimitExceeded",
  ];
  if (!caught.name || !gatewayErrors.includes(caught.name)) return undefined;
  return typeof caught.code === "number" && caught.code >= 400 && caught.code < 600
    ? caught.code
    : undefined;
}

/** Moleculer's ValidationError carries fastest-validator's list; domain errors carry a map. */
function fieldErrors(data: unknown): Record<string, string> {
  if (Array.isArray(data)) {
    // No prototype: a field named "constructor" or "toString" is a field like any other.
    const errors: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const failure of data as ValidationFailure[]) {
      for (const [field, message] of describeFailure(failure))
        if (!Object.hasOwn(errors, field)) errors[field] = message;
    }
    return errors;
  }
  const errors = (data as { errors?: Record<string, string> } | undefined)?.errors;
  return errors ?? {};
}

interface ValidationFailure {
  field?: string;
  message?: string;
  type?: string;
  expected?: unknown;
  actual?: unknown;
}

/** fastest-validator's wording is fine except for these two; they get a field-level message. */
function describeFailure(failure: ValidationFailure): Array<[string, string]> {
  const field = failure.field || "body";
  // objectStrict lists the forbidden keys in `actual` ("a, b") and the allowed ones in `expected`.
  if (failure.type === "objectStrict" && typeof failure.actual === "string") {
    const prefix = failure.field ? `${failure.field}.` : "";
    return failure.actual
      .split(",")
      .map((key) => [`${prefix}${key.trim()}`, "is not an allowed field"]);
  }
  // enumValue names the allowed values in `expected`, as a list or already joined.
  if (failure.type === "enumValue" && failure.expected !== undefined) {
    const allowed = Array.isArray(failure.expected)
      ? failure.expected.join(", ")
      : String(failure.expected);
    return [[field, `must be one of ${allowed}`]];
  }
  return [[field, failure.message ?? "is invalid"]];
}
