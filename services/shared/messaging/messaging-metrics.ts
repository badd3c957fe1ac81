import type { PartitionLag } from "./message-bus.port";

/** What one service's messaging looks like from outside, sampled from its database and its bus. */
export interface MessagingSample {
  /** Outbox rows not yet published (parked rows not included). */
  outboxBacklog: number;
  /** Age of the oldest of them, in seconds; 0 when there is none. */
  outboxOldestAgeSeconds: number;
  /** Outbox rows the broker refused for good. */
  outboxParked: number;
  /** Dead letters not yet replayed. */
  deadLettersWaiting: number;
  /** Whether the bus could publish right now. */
  busHealthy: boolean;
  /** The service's consumer group, and how far behind it is on each partition it reads. */
  group: string;
  lag: PartitionLag[];
}

/**
 * What the messaging layer reports as it works. The runtime records it as Prometheus metrics
 * (oms-metrics.ts); the messaging code does not know who listens.
 */
export interface MessagingMetrics {
  /** A consumed batch committed, taking `seconds` in its transaction; once per topic it held. */
  handled(group: string, topic: string, seconds: number): void;
  /** A message (or a batch, after a transient fault) is handled again. */
  retried(group: string, topic: string): void;
  deadLettered(group: string, topic: string, code: string): void;
  replayed(group: string, topic: string): void;
  sampled(service: string, sample: MessagingSample): void;
  /** The sample could not be taken: the service's database did not answer. */
  unavailable(service: string): void;
}

/** For code that runs without metrics (tests of the messaging layer, tools). */
export const NO_MESSAGING_METRICS: MessagingMetrics = {
  handled: () => undefined,
  retried: () => undefined,
  deadLettered: () => undefined,
  replayed: () => undefined,
  sampled: () => undefined,
  unavailable: () => undefined,
};
