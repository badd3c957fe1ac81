import {
  TracerExporters,
  type BrokerOptions,
  type Context,
  type Middleware,
  type Service,
  type Span,
} from "moleculer";
import type { AppConfig } from "../config/config";
import { withTrace } from "../messaging/message-context";
import type { MessageTracing, OpenSpan, SpanOptions } from "../messaging/message-tracing";
import {
  newSpanId,
  newTraceId,
  spanIdOf,
  traceIdOf,
  type TraceContext,
} from "../messaging/trace-context";

/**
 * Moleculer's tracer, with one trace per order. Moleculer traces the actions (the gateway's
 * request, `order.create`, …) and hands the trace from node to node over its transporter; the
 * OMS carries it on over the bus itself, in each message's `traceparent` (message-tracing.ts),
 * and resumes it where the bus does not reach (the settler, the saga sweeper) from the row the
 * work was queued in. Spans go to a Zipkin-compatible collector when TRACING_ZIPKIN_URL is set;
 * without one they are still made, so log lines name their trace.
 */
export function tracingOptions(config: AppConfig): BrokerOptions["tracing"] {
  const { enabled, zipkinUrl, tracesPerSecond, sampleRate } = config.tracing;
  if (!enabled) return { enabled: false };
  return {
    enabled: true,
    actions: true,
    events: false,
    // A trace is recorded or not as a whole: its first span decides (head sampling), and every
    // later hop follows the flag in its traceparent. Rate-limited by default: every order while
    // traffic is light, a steady sample under load, where recording every hop of every order
    // would cost a fifth of the throughput (measured: ADR 0018).
    sampling: { rate: sampleRate, tracesPerSecond: tracesPerSecond > 0 ? tracesPerSecond : null },
    // Which node did the work: in distributed mode a trace crosses several processes.
    defaultTags: { nodeID: config.nodeId },
    // Moleculer tags an action's span with all its params by default: an order's items, an
    // idempotency key. A span names the order it worked on, nothing more.
    tags: { action: orderIdTag },
    // An exporter instance is accepted at run time; the option's type lists only the built-ins.
    exporter: zipkinUrl
      ? [new ZipkinExporter({ baseURL: zipkinUrl, interval: 1 }) as unknown as TracingExporter]
      : [],
  };
}

/** `orderId` from the action's params, or from its response (`order.create` makes the id). */
function orderIdTag(ctx: Context, response?: unknown): Record<string, string> {
  const orderId = orderIdIn(ctx.params) ?? orderIdIn(response);
  return orderId ? { orderId } : {};
}

function orderIdIn(value: unknown): string | undefined {
  const orderId = (value as { orderId?: unknown } | null | undefined)?.orderId;
  return typeof orderId === "string" ? orderId : undefined;
}

type TracingExporter = Extract<
  NonNullable<Exclude<BrokerOptions["tracing"], boolean>>["exporter"],
  unknown[]
>[number];

/**
 * Moleculer's Zipkin exporter, with the ids W3C and the bus use: Moleculer's exporter cuts trace
 * ids to 16 digits, so a trace id copied from a log line or a message would not be found. Its
 * payload is lean (Moleculer's repeats the service as a remote endpoint and a tag, and flattens
 * tags with a reduce per level: a quarter of the exporter's cost, profiled); it marks the
 * messaging spans as producer, consumer or client; gives up on a collector that does not answer
 * in time, instead of piling up requests; and sends what is queued on stop.
 */
class ZipkinExporter extends TracerExporters.Zipkin {
  private sending: Promise<void> = Promise.resolve();

  override makePayload(span: Span): Record<string, unknown> {
    const { [SPAN_KIND]: kind, ...spanTags } = span.tags as Record<string, unknown>;
    const tags = stringTags(spanTags, "", {});
    if (span.error) tags.error = span.error instanceof Error ? span.error.message : "Unknown error";
    return {
      traceId: traceIdOf(span.traceID),
      id: spanIdOf(span.id),
      parentId: span.parentID ? spanIdOf(span.parentID) : undefined,
      name: span.name,
      // Zipkin marks work that neither serves nor calls anyone by leaving the kind out.
      kind: kind === "INTERNAL" ? undefined : typeof kind === "string" ? kind : "SERVER",
      timestamp: Math.round((span.startTime ?? 0) * 1000),
      duration: Math.max(1, Math.round((span.duration ?? 0) * 1000)),
      localEndpoint: { serviceName: span.service?.fullName ?? span.service?.name },
      tags,
    };
  }

  override flush(): void {
    if (this.queue.length === 0) return;
    const spans = this.generateTracingData();
    this.queue.length = 0;
    this.sending = fetch(`${this.opts.baseURL}/api/v2/spans`, {
      method: "POST",
      body: JSON.stringify(spans),
      headers: { "Content-Type": "application/json" },
      signal: AbortSignal.timeout(COLLECTOR_TIMEOUT_MS),
    }).then(
      (response) => {
        if (!response.ok)
          this.logger.warn(`The trace collector refused ${spans.length} spans: ${response.status}`);
      },
      (error: Error) =>
        this.logger.warn(
          `Could not send ${spans.length} spans to the trace collector: ${error.message}`,
        ),
    );
  }

  override async stop(): Promise<void> {
    super.stop();
    this.flush();
    await this.sending;
  }
}

const SPAN_KIND = "span.kind";
const COLLECTOR_TIMEOUT_MS = 5_000;

/** Zipkin's tags are flat strings: `{ action: { name } }` becomes `"action.name"`. */
function stringTags(
  tags: Record<string, unknown>,
  prefix: string,
  into: Record<string, string>,
): Record<string, string> {
  for (const name in tags) {
    const value = tags[name];
    if (value === undefined || value === null) continue;
    if (typeof value === "object")
      stringTags(value as Record<string, unknown>, `${prefix}${name}.`, into);
    else into[`${prefix}${name}`] = String(value);
  }
  return into;
}

/** The W3C context of a Moleculer span. */
export function contextOfSpan(span: Span): TraceContext {
  return { traceId: traceIdOf(span.traceID), spanId: spanIdOf(span.id), sampled: span.sampled };
}

/**
 * Runs every local action in its span's context, so what the action writes to an outbox
 * carries the span on (`order.create` → OrderCreated). Registered before Moleculer's own
 * middlewares, it runs inside them: the tracing middleware has opened the span by then.
 */
export function createTraceContextMiddleware(): Middleware {
  return {
    name: "OmsTraceContext",
    localAction(next) {
      return function (this: Service, ctx: Context) {
        const span = ctx.span as Span | null | undefined;
        if (!span) return next.call(this, ctx);
        return withTrace(contextOfSpan(span), () => next.call(this, ctx));
      };
    },
  };
}

/** The messaging code's spans, on Moleculer's tracer (so they share its exporter and sampling). */
export class MoleculerMessageTracing implements MessageTracing {
  constructor(private readonly tracer: { startSpan(name: string, options: object): Span }) {}

  start(name: string, { parent, service, kind, tags, startedAt }: SpanOptions): OpenSpan {
    // A trace is recorded or not as a whole, and its first span decided: no span to make.
    if (parent && !parent.sampled) return { context: parent, finish: () => undefined };
    const traceId = parent?.traceId ?? newTraceId();
    const spanId = newSpanId();
    const span = this.tracer.startSpan(name, {
      id: spanId,
      traceID: traceId,
      parentID: parent?.spanId ?? null,
      sampled: parent?.sampled,
      service,
      tags: { ...tags, [SPAN_KIND]: kind },
    });
    if (startedAt !== undefined && span.startTime !== null && span.startTicks !== null) {
      const earlier = Math.max(0, span.startTime - startedAt);
      span.startTime -= earlier;
      span.startTicks -= earlier;
    }
    return {
      context: { traceId, spanId, sampled: span.sampled },
      finish: (error) => {
        if (error) span.setError(error);
        span.finish();
      },
    };
  }
}
