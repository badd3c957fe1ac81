import {
  formatTraceparent,
  newSpanId,
  newTraceId,
  parseTraceparent,
  spanIdOf,
  traceIdOf,
} from "../../../services/shared/messaging/trace-context";

/** W3C Trace Context, as the envelope's `traceparent` and the Kafka header carry it. */
describe("traceparent", () => {
  const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  it("reads the W3C example, and writes it back the same", () => {
    const context = parseTraceparent(valid);
    expect(context).toEqual({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      sampled: true,
    });
    expect(formatTraceparent(context!)).toBe(valid);
  });

  it("reads the sampled flag from the lowest bit", () => {
    expect(parseTraceparent(valid.replace(/-01$/, "-00"))?.sampled).toBe(false);
    expect(parseTraceparent(valid.replace(/-01$/, "-03"))?.sampled).toBe(true);
  });

  it.each([
    ["not a string", 42],
    ["empty", ""],
    ["upper case", valid.toUpperCase()],
    ["version ff", valid.replace(/^00/, "ff")],
    ["all-zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"],
    ["all-zero span id", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"],
    ["short trace id", "00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01"],
    ["trailing data", `${valid}-extra`],
  ])("ignores a traceparent that is %s (a new trace starts instead)", (_case, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it("makes ids of the W3C sizes", () => {
    expect(newTraceId()).toMatch(/^[0-9a-f]{32}$/);
    expect(newSpanId()).toMatch(/^[0-9a-f]{16}$/);
    expect(newTraceId()).not.toBe(newTraceId());
  });
});

describe("Moleculer ids as W3C ids", () => {
  const uuid = "22cb554f-7f0a-44e0-8e1c-f1a1491fe6cd";

  it("a uuid maps onto its own digits, so one trace reads the same everywhere", () => {
    expect(traceIdOf(uuid)).toBe("22cb554f7f0a44e08e1cf1a1491fe6cd");
    expect(spanIdOf(uuid)).toBe("22cb554f7f0a44e0");
    expect(spanIdOf("b7ad6b7169203331")).toBe("b7ad6b7169203331");
  });

  it("any other request id (a client's X-Request-ID) maps onto a stable digest", () => {
    expect(traceIdOf("my-request-1")).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIdOf("my-request-1")).toBe(traceIdOf("my-request-1"));
    expect(traceIdOf("my-request-1")).not.toBe(traceIdOf("my-request-2"));
    expect(spanIdOf("00000000-0000-0000-0000-000000000000")).not.toMatch(/^0+$/);
  });
});
