import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
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
import { DATABASE_OWNERS } from "../shared/config/config";
import { EventLoopWatch } from "../shared/runtime/event-loop-watch";
import { GatewayErrorCode, RETRY_AFTER_SECONDS, toErrorBody } from "./http-errors";
import { checkBodyValues, verifyJsonBytes } from "./request-body";
import { asyncApiDocument } from "./asyncapi";
import { createAuthenticator, type Authenticator } from "./auth";
import { OPENAPI } from "./openapi";
import { openApiPage } from "./openapi-page";
import { answerMalformedRequest, answeredBeforeRouting } from "./http-edge";
import { ALIASES, routeOf } from "./routes";
import { ADMIN_ACTIONS } from "./admin";
import { ADMIN_REQUIRED } from "../shared/runtime/operations.mixin";
import { RATE_LIMIT_RETRY_AFTER_SECONDS, rateLimitOf, type IdentifiedRequest } from "./rate-limit";

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
/**
 * A client's X-Request-ID / X-Correlation-ID becomes the causation id of the messages its
 * request causes, so it must fit their envelope (1 to 200 characters). One that does not fit, or
 * is empty, is replaced by a fresh id (returned in X-Request-ID), never passed on to strand the
 * order after its 201.
 */
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

type Request = IncomingRequest & IdentifiedRequest & { body?: unknown };

/** What anyone may call: health (for probes) and the API's description. */
const PUBLIC_ACTIONS = new Set([
  "api.live",
  "api.ready",
  "api.openapi",
  "api.asyncapi",
  "api.docs",
]);

/** The admin routes' actions (admin.ts). */
const ADMIN_ONLY = new Set(Object.keys(ADMIN_ACTIONS).map((name) => `api.${name}`));

/** Reads of what belongs to an order: only for whoever may see the order. */
const SCOPED_BY_ORDER = new Set(["saga.get", "payment.byOrder"]);

/**
 * The HTTP edge. Every route is written out (no auto-aliases, no generated CRUD), every error
 * leaves in the one shape of http-errors.ts.
 */
export default function createApiService(broker: ServiceBroker): ServiceSchema<ApiSettingsSchema> {
  const { config, metrics } = platformOf(broker);
  const eventLoop = new EventLoopWatch(config.liveness);
  if (!config.auth.jwtSecret && !config.auth.jwks && !config.auth.devKeyFile)
    throw new Error(
      "the gateway needs AUTH_JWT_SECRET (HS256, at least 32 bytes) or AUTH_JWKS (a JWKS path or URL); " +
        "only the embedded default (npm start) makes a development key of its own",
    );
  // Keys are read (or the development key made) when the gateway starts: a JWKS file that
  // cannot be read stops the start, instead of failing every request.
  let authenticator: Authenticator | undefined;
  /**
   * Who a request is from, read before routing, so that the rate limiter can count per customer:
   * its caller when the token is valid, why not when it is not (thrown later, and only for a
   * route that needs a token), nothing without an Authorization header.
   */
  const identify = async (req: IdentifiedRequest): Promise<void> => {
    if (!authenticator || req.headers.authorization === undefined) return;
    try {
      req.$identity = { caller: await authenticator.verify(req.headers.authorization) };
    } catch (error) {
      req.$identity = { rejection: error as Error };
    }
  };
  const callerOfRequest = async (req: IdentifiedRequest) => {
    // moleculer-web listens before this service's started() has read the keys: a request in
    // that moment is told to come back, as any request to a service still starting is.
    if (!authenticator)
      throw new Errors.MoleculerRetryableError("the gateway is starting", 503, "NOT_READY");
    if (req.$identity?.rejection) throw req.$identity.rejection;
    // Not identified before routing (no Authorization header: the authenticator says so, in the
    // 401's words; or the keys were read meanwhile): verified now.
    return req.$identity?.caller ?? authenticator.verify(req.headers.authorization);
  };
  const rateLimit = rateLimitOf(config.http.rateLimitRps);
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
          ...(rateLimit && { rateLimit }),
          async onBeforeCall(
            ctx: Context<unknown, Record<string, unknown>>,
            _route: unknown,
            req: Request,
          ) {
            // Everything but health and the API's own description needs a bearer token.
            const caller = PUBLIC_ACTIONS.has(req.$action?.name ?? "")
              ? undefined
              : await callerOfRequest(req);
            if (caller) ctx.meta.caller = caller;
            // The contexts check the role again (and record who acted); a customer is turned
            // away here, before any of them is asked.
            if (caller && !caller.admin && ADMIN_ONLY.has(req.$action?.name ?? ""))
              throw new Errors.MoleculerClientError(
                "only an admin may use this route",
                403,
                ADMIN_REQUIRED,
              );
            // A saga or a payment is seen by whoever may see its order (order.visible: a 404
            // for another customer's, as the order itself is).
            if (caller && !caller.admin && SCOPED_BY_ORDER.has(req.$action?.name ?? ""))
              await ctx.call("order.visible", { orderId: req.$params.orderId });
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
              // Scoped per customer: another customer's same key is another request.
              ctx.meta.idempotencyKey = `${caller?.customerId ?? ""}:${key}`;
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
        if (body.status === 401) res.setHeader("WWW-Authenticate", 'Bearer realm="oms"');
        if (body.status === 429)
          res.setHeader("Retry-After", String(RATE_LIMIT_RETRY_AFTER_SECONDS));
        res.writeHead(body.status);
        res.end(JSON.stringify(body));
      },
    },
    methods: {
      /** Headers and methods first (http-edge.ts), then who it is from, then moleculer-web's routing. */
      async httpHandler(
        this: { sendError: (...args: unknown[]) => void },
        req: IncomingMessage,
        res: ServerResponse,
        next?: unknown,
      ) {
        if (answeredBeforeRouting(req, res, (error) => this.sendError(req, res, error))) return;
        await identify(req);
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
    async started() {
      authenticator = await createAuthenticator(config.auth);
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
      ...ADMIN_ACTIONS,
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
          // Every context checks its own database and bus.
          const checks = await Promise.allSettled(
            DATABASE_OWNERS.map((name) =>
              ctx.call(`${name}.health`, {}, { timeout: 3_000, retries: 0 }),
            ),
          );
          const errors: Record<string, string> = {};
          checks.forEach((check, index) => {
            if (check.status === "rejected")
              errors[DATABASE_OWNERS[index]!] = describeUnready(check.reason);
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
                DATABASE_OWNERS[index],
                check.status === "fulfilled" ? check.value : null,
              ]),
            ),
          };
        },
      },
    },
  };
}

/** The request id moleculer-web took from the headers, if it can travel; a fresh one if not. */
function keepOrReplaceRequestId(options: { requestID?: unknown }): void {
  const { requestID } = options;
  options.requestID =
    typeof requestID === "string" && REQUEST_ID.test(requestID) ? requestID : randomUUID();
}

/**
 * POST bodies must be JSON objects; anything else is refused before reaching a service. A POST
 * without a body (a cancel that gives no reason) needs no Content-Type: its params come from the
 * path alone.
 */
function checkJsonBody(req: Request): void {
  const hasBody =
    req.headers["transfer-encoding"] !== undefined ||
    Number(req.headers["content-length"] ?? 0) > 0;
  if (!hasBody) return;
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
