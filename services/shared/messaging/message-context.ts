import { AsyncLocalStorage } from "node:async_hooks";
import type { Envelope } from "../../../contracts";
import { formatTraceparent, type TraceContext } from "./trace-context";

/**
 * What the code running now works on: the message being handled, if any, and the span it runs
 * in, if it is traced. Log lines carry it (logFieldsOf), and a message written to an outbox
 * carries the span as its `traceparent`, so its consumer continues the same trace.
 */
export interface MessageContext {
  /** The order the message is about (every business message is keyed and correlated by it). */
  orderId?: string;
  correlationId?: string;
  messageId?: string;
  messageType?: string;
  trace?: TraceContext;
}

const current = new AsyncLocalStorage<MessageContext>();

/** Runs `work` as the handling of `envelope` (in `trace`'s span, when traced). */
export function withMessageContext<T>(
  envelope: Envelope,
  work: () => Promise<T>,
  trace?: TraceContext,
): Promise<T> {
  return current.run(
    {
      orderId: envelope.correlationId,
      correlationId: envelope.correlationId,
      messageId: envelope.messageId,
      messageType: envelope.type,
      trace,
    },
    work,
  );
}

/** Runs `work` in `trace`'s span, keeping the message being handled (if any). */
export function withTrace<T>(trace: TraceContext | undefined, work: () => T): T {
  if (!trace) return work();
  return current.run({ ...current.getStore(), trace }, work);
}

/** The context of the code running now, if any. */
export function currentMessageContext(): MessageContext | undefined {
  return current.getStore();
}

/** The span the code running now is in, as a `traceparent`: what an outgoing message carries. */
export function currentTraceparent(): string | undefined {
  const trace = current.getStore()?.trace;
  return trace && formatTraceparent(trace);
}

/** The fields every log line written in this context carries. */
export function logFieldsOf(context: MessageContext | undefined): Record<string, string> {
  if (!context) return {};
  const { trace, ...message } = context;
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(message))
    if (value !== undefined) fields[name] = value;
  if (trace) fields.traceId = trace.traceId;
  return fields;
}
