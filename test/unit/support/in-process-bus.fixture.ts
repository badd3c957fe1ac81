import { InProcessBus } from "../../../services/shared/messaging/in-process-bus";
import type { BatchHandler } from "../../../services/shared/messaging/message-bus.port";
import { deferred, type Received } from "./async";

const buses: InProcessBus[] = [];

/** A bus with small retry delays and the given topics; closed after each test. */
export async function busWith(topics: string[], partitions = 3): Promise<InProcessBus> {
  const bus = new InProcessBus({ partitions, retryDelayMs: 1 });
  buses.push(bus);
  await bus.ensureTopics(topics);
  return bus;
}

afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
});

export const record = (value: string, key: string | null = "order-1") => ({
  topic: "t",
  key,
  value,
});

/** A handler that signals when it starts and finishes only when the test opens the gate. */
export function gated(into: Received) {
  const started = deferred();
  const gate = deferred();
  const handler: BatchHandler = async (batch) => {
    started.resolve();
    await gate.promise;
    await into.handler(batch);
  };
  return { handler, started: started.promise, open: () => gate.resolve() };
}
