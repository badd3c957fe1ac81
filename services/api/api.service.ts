import { randomUUID } from "node:crypto";
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import {
  Errors,
  type CallingOptions,
  type Context,
  type ServiceBroker,
  type ServiceSchema,
} from "moleculer";
import ApiGateway, { type ApiSettingsSchema, type IncomingRequest } from "moleculer-web";
import type { Logger } from "../shared/logger";
import { platformOf } from "../shared/runtime/platform";
import { EventLoopWatch } from "../shared/runtime/event-loop-watch";
import { GatewayErrorCode, RETRY_AFTER_SECONDS, toErrorBody } from "./http-errors";
import { checkBodyValues, verifyJsonBytes } from "./request-body";
import { asyncApiDocument } from "./asyncapi";
import { OPENAPI } from "./openapi";
import { openApiPage } from "./openapi-page";
import { ALIASES, methodsAllowedOn, routeOf } from "./routes";

/** Services whose readiness the gateway reports; each one checks its database and bus. */
const BACKENDS = ["order", "payment", "saga"] as const;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
/**
 * A client's X-Request-ID / X-Correlation-ID becomes the causation id of the messages its
 * request causes, so it must fit their envelope (1 to 200 characters). One that does not fit, or
 * is empty, is replaced by a fresh id (returned in X-Request-ID), never passed on to strand the
 * order after its 201.
 */
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

type Request = IncomingRequest & { body?: unknown };

/**
 * On every answer, whichever path writes it (an action, an error, a 404, a 405): the API serves
 * JSON to programs, never a page, so nothing may sniff, frame, cache or embed it.
 */
const SECURITY_HEADERS: ReadonlyArray<[string, string]> = [
  ["X-Content-Type-Options", "nosniff"],
  ["Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"],
  ["X-Frame-Options", "DENY"],
  ["Referrer-Policy", "no-referrer"],
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Cache-Control", "no-store"],
];

/**
 * The HTTP edge. Every route is written out (no auto-aliases, no generated CRUD), every error
 * leaves in the one shape of http-errors.ts.
 */
export default function createApiService(broker: ServiceBroker): ServiceSchema<ApiSettingsSchema> {
  const { config, metrics } = platformOf(broker);
  const eventLoop = new EventLoopWatch(config.liveness);
  return {
    name: "api",
    mixins: [ApiGateway],
    settings: {
      port: config.http.port,
      ip: config.http.host,
      logRequest: "debug",
      logResponse: "debug",
      log4XXResponses: false,
      // moleculer-web also takes a function here (it fills the options of the root call from
      // the request); its typings only know the object form.
      rootCallOptions: keepOrReplaceRequestId as unknown as CallingOptions,
      routes: [
        {
          path: "/",
          autoAliases: false,
          mappingPolicy: "restrict",
          bodyParsers: {
            json: {
              strict: true,
              limit: config.http.bodyLimit,
              type: "application/json",
              verify: verifyJsonBytes,
            },
            urlencoded: false,
          },
          aliases: ALIASES,
          onBeforeCall(
            ctx: Context<unknown, Record<string, unknown>>,
            _route: unknown,
            req: Request,
          ) {
            if (req.method === "POST") checkJsonBody(req);
            // Any request's body: moleculer-web merges it into the action's params.
            if (req.body !== undefined) checkBodyValues(req.body);
            const key = req.headers["idempotency-key"];
            if (key !== undefined) {
              if (typeof key !== "string" || !IDEMPOTENCY_KEY.test(key)) {
                throw new Errors.ValidationError(
                  "Invalid Idempotency-Key",
                  GatewayErrorCode.Validation,
                  [
                    {
                      field: "Idempotency-Key",
                      message: "must be 1 to 255 visible ASCII characters",
                    },
                  ],
                );
              }
              ctx.meta.idempotencyKey = key;
            } else if (req.method === "POST") {
              // Every POST is idempotent inside the system: when the broker retries the call on
              // another order node (the first one died mid-request), the retry cannot place a
              // second order. A retry runs this hook again with the same context: keep its key.
              ctx.meta.idempotencyKey ??= `gateway:${randomUUID()}`;
            }
          },
          onAfterCall(
            ctx: Context<unknown, Record<string, unknown>>,
            _route: unknown,
            req: Request,
            res: ServerResponse,
            data: unknown,
          ) {
            if (req.$action?.name === "order.create") {
              ctx.meta.$statusCode = 201;
              ctx.meta.$location = `/orders/${(data as { orderId: string }).orderId}`;
              if (ctx.meta.idempotentReplayed) res.setHeader("Idempotent-Replayed", "true");
            }
            return data;
          },
        },
      ],
      onError(this: { logger: Logger }, req: IncomingMessage, res: ServerResponse, error: Error) {
        const body = toErrorBody(error);
        // A bug gets its stack in the log; anything unavailable one warning line; 4xx nothing.
        if (body.status === 500) this.logger.error(`${req.method} ${req.url} failed:`, error);
        else if (body.status >= 500)
          this.logger.warn(`${req.method} ${req.url}: ${body.message}`, body.errors ?? "");
        res.setHeader("Content-Type", "application/json; charset=utf-8");
        if (body.status === 503) res.setHeader("Retry-After", String(RETRY_AFTER_SECONDS));
        res.writeHead(body.status);
        res.end(JSON.stringify(body));
      },
    },
    methods: {
      /**
       * Every request, before moleculer-web's routing: the security headers; then methods
       * (moleculer-web answers OPTIONS like GET, and any unknown method with a 404): OPTIONS is
       * a 204 with `Allow`; HEAD is GET without a body (Node drops the body of a HEAD
       * response); any other method a path does not serve is a 405 with `Allow`, in the error
       * shape.
       */
      httpHandler(
        this: { sendError: (...args: unknown[]) => void },
        req: IncomingMessage,
        res: ServerResponse,
        next?: unknown,
      ) {
        for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
        const allowed = methodsAllowedOn(req.url);
        if (allowed.length > 0 && !allowed.includes(req.method ?? "")) {
          res.setHeader("Allow", allowed.join(", "));
          this.sendError(
            req,
            res,
            new Errors.MoleculerClientError(
              "Method not allowed",
              405,
              GatewayErrorCode.MethodNotAllowed,
            ),
          );
          return;
        }
        if (req.method === "OPTIONS") {
          res.writeHead(204, { Allow: allowed.join(", ") });
          res.end();
          return;
        }
        if (req.method === "HEAD") req.method = "GET";
        return ApiGateway.methods!.httpHandler!.call(this, req, res, next);
      },

      /** moleculer-web logs every non-4xx with its stack before onError; onError decides instead. */
      errorHandler(
        this: { sendError: (...args: unknown[]) => void },
        req: IncomingMessage,
        res: ServerResponse,
        error: Error,
      ) {
        this.sendError(req, res, error);
      },
    },
    started() {
      eventLoop.start();
      (this.server as Server | undefined)?.on("clientError", answerMalformedRequest);
      // Every answer is counted when it is sent, whichever path (action, error, 404) wrote it.
      (this.server as Server | undefined)?.on(
        "request",
        (req: IncomingMessage, res: ServerResponse) => {
          res.once("finish", () =>
            metrics.increment("httpRequests", {
              route: routeOf(req.method, req.url),
              status: String(res.statusCode),
            }),
          );
        },
      );
    },
    stopped() {
      eventLoop.stop();
    },
    actions: {
      /** The API's description (openapi.ts), and the same as a page. */
      openapi: {
        visibility: "published",
        handler: () => OPENAPI,
      },
      /** The topics' description (asyncapi.ts), made from the contracts. */
      asyncapi: {
        visibility: "published",
        handler: () => asyncApiDocument(),
      },
      docs: {
        visibility: "published",
        handler(ctx: Context<unknown, Record<string, unknown>>) {
          ctx.meta.$responseType = "text/html; charset=utf-8";
          return openApiPage();
        },
      },
      live: {
        visibility: "published",
        handler() {
          const stall = eventLoop.recentStall();
          if (stall) {
            throw new Errors.MoleculerError("Not live", 503, GatewayErrorCode.NotLive, {
              errors: {
                eventLoop: `blocked for ${stall.ms} ms, ${stall.secondsAgo} s ago`,
              },
            });
          }
          return { status: "UP" };
        },
      },
      ready: {
        visibility: "published",
        async handler(ctx: Context) {
          const checks = await Promise.allSettled(
            BACKENDS.map((name) => ctx.call(`${name}.health`, {}, { timeout: 3_000, retries: 0 })),
          );
          const errors: Record<string, string> = {};
          checks.forEach((check, index) => {
            if (check.status === "rejected")
              errors[BACKENDS[index]!] = describeUnready(check.reason);
          });
          if (Object.keys(errors).length > 0) {
            throw new Errors.MoleculerError("Not ready", 503, GatewayErrorCode.NotReady, {
              errors,
            });
          }
          return {
            status: "UP",
            checks: Object.fromEntries(
              checks.map((check, index) => [
                BACKENDS[index],
                check.status === "fulfilled" ? check.value : null,
              ]),
            ),
          };
        },
      },
    },
  };
}

/**
 * A request Node cannot parse (headers over its 16 KB limit, a broken request line or chunked
 * encoding) never reaches the gateway; Node would answer with a bare status line. It gets the
 * error shape too, and the connection is closed.
 */
function answerMalformedRequest(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  const status =
    error.code === "HPE_HEADER_OVERFLOW"
      ? 431
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? 408
        : 400;
  const body = JSON.stringify({
    status,
    message: STATUS_CODES[status],
    timestamp: new Date().toISOString(),
  });
  const headers = [
    ["Content-Type", "application/json; charset=utf-8"],
    ["Content-Length", String(Buffer.byteLength(body))],
    ["Connection", "close"],
    ...SECURITY_HEADERS,
  ].map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers.join("")}\r\n${body}`);
}

/** The request id moleculer-web took from the headers, if it can travel; a fresh one if not. */
function keepOrReplaceRequestId(options: { requestID?: unknown }): void {
  const { requestID } = options;
  options.requestID =
    typeof requestID === "string" && REQUEST_ID.test(requestID) ? requestID : randomUUID();
}

/** POST bodies must be JSON objects; anything else is refused before reaching a service. */
function checkJsonBody(req: Request): void {
  const contentType = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  // Only application/json is parsed; a body of any other type would arrive empty.
  if (contentType !== "application/json") {
    throw new Errors.MoleculerClientError(
      "Content-Type must be application/json",
      415,
      GatewayErrorCode.UnsupportedMediaType,
    );
  }
  if (req.body === null || typeof req.body !== "object" || Array.isArray(req.body)) {
    throw new Errors.ValidationError(
      "Request body must be a JSON object",
      GatewayErrorCode.Validation,
      [{ field: "body", message: "must be a JSON object" }],
    );
  }
}

function describeUnready(reason: unknown): string {
  const error = reason as { type?: string; message?: string };
  if (error.type === "SERVICE_NOT_FOUND" || error.type === "SERVICE_NOT_AVAILABLE")
    return "no instance is reachable";
  if (error.type === "REQUEST_TIMEOUT") return "did not answer in time";
  return error.message ?? "not ready";
}
