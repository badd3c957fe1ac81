import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A span as Zipkin's v2 API takes and returns it (the fields the tests read). */
export interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: string;
  timestamp: number;
  duration: number;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

/**
 * Zipkin's span intake (`POST /api/v2/spans`, a JSON array) on a free loopback port, keeping
 * what it receives: the broker tests' collector. The e2e suite sends to a real Zipkin server.
 */
export async function startSpanCollector(): Promise<{
  url: string;
  spans: ZipkinSpan[];
  close(): Promise<void>;
}> {
  const spans: ZipkinSpan[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (request.method !== "POST" || request.url !== "/api/v2/spans") {
        response.writeHead(404).end();
        return;
      }
      spans.push(...(JSON.parse(Buffer.concat(chunks).toString("utf8")) as ZipkinSpan[]));
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * The spans that move an order: its creation and every hop after it. A read of the order
 * (`GET /orders/:orderId`, as a client polls it) is tagged with the order too, and is a trace
 * of its own.
 */
const MOVES_THE_ORDER = /^(action 'order\.create'|publish |consume |provider |saga deadline)/i;

export const movesTheOrder = (span: ZipkinSpan) => MOVES_THE_ORDER.test(span.name);

/** The trace that moved the order: all of its spans (one trace, or this throws). */
export function traceOf(spans: readonly ZipkinSpan[], orderId: string): ZipkinSpan[] {
  const traceIds = new Set(
    spans
      .filter((span) => span.tags?.orderId === orderId && movesTheOrder(span))
      .map((span) => span.traceId),
  );
  if (traceIds.size !== 1)
    throw new Error(`order ${orderId} has spans in ${traceIds.size} traces, expected one`);
  const [traceId] = traceIds;
  return spans.filter((span) => span.traceId === traceId);
}

/** Every order's trace up to the provider's answer: HTTP → order → saga → payment. */
const TO_THE_PROVIDER = [
  "POST /orders",
  "action 'order.create'",
  "publish OrderCreated",
  "consume OrderCreated",
  "publish InitiatePayment",
  "consume InitiatePayment",
  "provider charge",
];

/** What a confirmed order's trace shows, in causal order: … then back through the saga. */
export const CONFIRMED_ORDER_HOPS = [
  ...TO_THE_PROVIDER,
  "publish PaymentCompleted",
  "consume PaymentCompleted",
  "publish ApproveOrder",
  "consume ApproveOrder",
  "publish OrderConfirmed",
];

/** A declined order's: the provider's refusal, the saga's rejection, the order cancelled. */
export const DECLINED_ORDER_HOPS = [
  ...TO_THE_PROVIDER,
  "publish PaymentFailed",
  "consume PaymentFailed",
  "publish RejectOrder",
  "consume RejectOrder",
  "publish OrderCancelled",
];

/** Zipkin's query API returns span names in lower case. */
const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The `hops` found on the way from the trace's root to the span named `leaf`, in that order
 * (Moleculer's own spans in between left out): the chain of causes of that hop.
 */
export function hopsTo(trace: readonly ZipkinSpan[], leaf: string, hops: string[]): string[] {
  return pathTo(trace, leaf).flatMap((name) => hops.filter((hop) => sameName(hop, name)));
}

/** Whether the trace has a span named `name`. */
export const hasSpan = (trace: readonly ZipkinSpan[], name: string) =>
  trace.some((span) => sameName(span.name, name));

/**
 * One tree: one root, every other span's parent in the same trace. Returns the path of span
 * names from the root to the span named `leaf`.
 */
function pathTo(trace: readonly ZipkinSpan[], leaf: string): string[] {
  const byId = new Map(trace.map((span) => [span.id, span]));
  const roots = trace.filter((span) => !span.parentId);
  if (roots.length !== 1)
    throw new Error(`expected one root span, found ${roots.map((span) => span.name).join(", ")}`);
  const orphans = trace.filter((span) => span.parentId && !byId.has(span.parentId));
  if (orphans.length > 0)
    throw new Error(`spans whose parent is not in the trace: ${orphans.map((span) => span.name)}`);
  const end = trace.find((span) => sameName(span.name, leaf));
  if (!end) throw new Error(`no span "${leaf}" in ${trace.map((span) => span.name).join(", ")}`);
  const path: string[] = [];
  for (let span: ZipkinSpan | undefined = end; span; span = byId.get(span.parentId ?? ""))
    path.unshift(span.name);
  return path;
}
