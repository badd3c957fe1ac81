import { Writable } from "node:stream";
import { pino } from "pino";
import { withMessageContext, withTrace } from "../../../services/shared/messaging/message-context";
import { pinoOptions } from "../../../services/shared/runtime/broker-options";

/** The JSON lines a node writes when its stdout is not a terminal (LOG_FORMAT=auto or json). */
function capture(): { lines: Array<Record<string, unknown>>; stream: Writable } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

const envelope = {
  messageId: "6f1c1b7e-1111-4a4a-9a9a-000000000001",
  type: "PaymentFailed",
  version: 1,
  occurredAt: "2026-11-26T10:00:00.000Z",
  correlationId: "order-42",
  causationId: "cause-1",
  payload: {},
};

describe("JSON log lines", () => {
  it("a line written while a message is handled names the message and its order", async () => {
    const { lines, stream } = capture();
    const logger = pino(pinoOptions(), stream).child({ nodeID: "saga-1", svc: "saga" });
    await withMessageContext(envelope, async () => {
      await Promise.resolve();
      logger.warn("Rejected PaymentFailed: SAGA_NOT_FOUND");
    });
    logger.info("between messages");
    expect(lines[0]).toMatchObject({
      level: "warn",
      msg: "Rejected PaymentFailed: SAGA_NOT_FOUND",
      orderId: "order-42",
      correlationId: "order-42",
      messageId: envelope.messageId,
      messageType: "PaymentFailed",
      nodeID: "saga-1",
      svc: "saga",
    });
    expect(Date.parse(lines[0]!.time as string)).not.toBeNaN();
    expect(lines[1]).not.toHaveProperty("orderId");
  });

  it("a line written in a traced span names its trace, to find the order's trace in Zipkin", async () => {
    const { lines, stream } = capture();
    const logger = pino(pinoOptions(), stream);
    const trace = {
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      sampled: true,
    };
    await withMessageContext(
      envelope,
      async () => {
        logger.info("handled");
        withTrace({ ...trace, spanId: "b7ad6b7169203331" }, () => logger.info("inner span"));
      },
      trace,
    );
    await withTrace(trace, async () => logger.info("an action, no message"));
    expect(lines[0]).toMatchObject({ traceId: trace.traceId, orderId: "order-42" });
    expect(lines[0]).not.toHaveProperty("trace");
    expect(lines[1]).toMatchObject({ traceId: trace.traceId, messageId: envelope.messageId });
    expect(lines[2]).toMatchObject({ traceId: trace.traceId });
    expect(lines[2]).not.toHaveProperty("orderId");
  });

  it("never writes a secret that slipped into a logged object", () => {
    const { lines, stream } = capture();
    pino(pinoOptions(), stream).info(
      { headers: { authorization: "Bearer secret", "x-request-id": "r-1" }, password: "p" },
      "request",
    );
    expect(JSON.stringify(lines[0])).not.toMatch(/secret|"p"/);
    expect(lines[0]).toMatchObject({ headers: { "x-request-id": "r-1" } });
  });
});
