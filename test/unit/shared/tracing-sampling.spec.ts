import type { Span } from "moleculer";
import { loadConfig } from "../../../services/shared/config/config";
import { MoleculerMessageTracing, tracingOptions } from "../../../services/shared/runtime/tracing";

/** Head sampling: the first span of a trace decides, every later hop follows its flag. */
describe("trace sampling", () => {
  const unsampled = {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "00f067aa0ba902b7",
    sampled: false,
  };
  const sampled = { ...unsampled, sampled: true };

  function tracerRecording() {
    const started: Array<{ name: string; options: Record<string, unknown> }> = [];
    const tracer = {
      startSpan(name: string, options: Record<string, unknown>) {
        started.push({ name, options });
        return {
          startTime: Date.now(),
          startTicks: 0,
          sampled: options.sampled ?? true,
          finish: () => undefined,
          setError: () => undefined,
        } as unknown as Span;
      },
    };
    return { tracer, started };
  }

  it("a hop of a trace that is not recorded makes no span and passes the context on", () => {
    const { tracer, started } = tracerRecording();
    const span = new MoleculerMessageTracing(tracer).start("consume OrderCreated", {
      parent: unsampled,
      service: "saga",
      kind: "CONSUMER",
      tags: {},
    });
    expect(started).toHaveLength(0);
    expect(span.context).toEqual(unsampled);
  });

  it("a hop of a recorded trace is a child span in the same trace", () => {
    const { tracer, started } = tracerRecording();
    const span = new MoleculerMessageTracing(tracer).start("consume OrderCreated", {
      parent: sampled,
      service: "saga",
      kind: "CONSUMER",
      tags: { orderId: "o-1" },
    });
    expect(started[0]!.options).toMatchObject({
      traceID: sampled.traceId,
      parentID: sampled.spanId,
      sampled: true,
      tags: { orderId: "o-1", "span.kind": "CONSUMER" },
    });
    expect(span.context).toMatchObject({ traceId: sampled.traceId, sampled: true });
    expect(span.context!.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span.context!.spanId).not.toBe(sampled.spanId);
  });

  it("records at most TRACING_TRACES_PER_SECOND traces a second by default, any number with 0", () => {
    const sampling = (env: Record<string, string>) =>
      (tracingOptions(loadConfig(env)) as { sampling?: object }).sampling;
    expect(sampling({})).toEqual({ rate: 1, tracesPerSecond: 10 });
    expect(sampling({ TRACING_TRACES_PER_SECOND: "0", TRACING_SAMPLE_RATE: "0.5" })).toEqual({
      rate: 0.5,
      tracesPerSecond: null,
    });
    expect(tracingOptions(loadConfig({ TRACING_ENABLED: "false" }))).toEqual({ enabled: false });
  });
});
