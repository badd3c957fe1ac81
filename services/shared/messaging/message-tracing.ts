import type { TraceContext } from "./trace-context";

/** A started span: the context its children carry, and how to end it. */
export interface OpenSpan {
  /** Undefined when nothing is traced: children then carry their parent's context on. */
  readonly context: TraceContext | undefined;
  finish(error?: Error): void;
}

export interface SpanOptions {
  /** The span that caused this one (from a message's `traceparent`); none starts a new trace. */
  parent: TraceContext | undefined;
  /** The service the span belongs to (Zipkin's service name). */
  service: string;
  /** Sending to the bus, receiving from it, calling out, or work of its own (Zipkin's kinds). */
  kind: "PRODUCER" | "CONSUMER" | "CLIENT" | "INTERNAL";
  tags: Record<string, string | number>;
  /** When the work began, if before now (a message waiting in an outbox since it was written). */
  startedAt?: number;
}

/**
 * The spans the messaging code opens around its own work: a consumer handling a message, the
 * relay publishing one, a settler asking the provider. The runtime implements it on Moleculer's
 * tracer (runtime/tracing.ts); messaging code knows nothing of Moleculer.
 */
export interface MessageTracing {
  start(name: string, options: SpanOptions): OpenSpan;
}

/**
 * Runs `work`, then ends `spans` (those it opened, or was given): with its error if it failed.
 * A span covers its work up to the commit or the acknowledgement, not just the call that
 * opened it.
 */
export async function endingSpans<T>(
  spans: readonly OpenSpan[],
  work: () => Promise<T>,
): Promise<T> {
  try {
    const result = await work();
    for (const span of spans) span.finish();
    return result;
  } catch (error) {
    for (const span of spans) span.finish(error as Error);
    throw error;
  }
}

/** Tracing off: no spans, and a message's context passes through unchanged. */
export const NO_MESSAGE_TRACING: MessageTracing = {
  start: (_name, { parent }) => ({ context: parent, finish: () => undefined }),
};
