import type { ServiceBroker } from "moleculer";
import type { MessagingMetrics } from "../messaging/messaging-metrics";

/** Seconds: from a few milliseconds (one message) to past the saga's deadlines (minutes). */
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

interface MetricDefinition {
  type: "counter" | "gauge" | "histogram";
  /** Moleculer's dotted name; the Prometheus reporter writes it with underscores. */
  name: string;
  description: string;
  labelNames: readonly string[];
  buckets?: readonly number[];
}

/**
 * Every metric the OMS adds to Moleculer's own, each with its help text. The README's list, the
 * alert rules and the dashboard name these; `test/unit/shared/oms-metrics.spec.ts` keeps them in
 * step.
 */
export const OMS_METRICS = {
  ordersCreated: {
    type: "counter",
    name: "oms.orders.created.total",
    description: "Orders placed (a replayed Idempotency-Key is not counted again)",
    labelNames: [],
  },
  ordersConfirmed: {
    type: "counter",
    name: "oms.orders.confirmed.total",
    description: "Orders whose saga ended ORDER_CONFIRMED",
    labelNames: [],
  },
  ordersCancelled: {
    type: "counter",
    name: "oms.orders.cancelled.total",
    description:
      "Orders whose saga ended cancelled, by reason: payment_declined, payment_timed_out, order_cancelled",
    labelNames: ["reason"],
  },
  sagaDuration: {
    type: "histogram",
    name: "oms.saga.duration.seconds",
    description: "Time from an order's saga starting to its final state, by outcome",
    labelNames: ["outcome"],
    buckets: SECONDS_BUCKETS,
  },
  sagas: {
    type: "gauge",
    name: "oms.sagas",
    description: "Sagas by state (sampled from the saga database)",
    labelNames: ["state"],
  },
  sagasOverdue: {
    type: "gauge",
    name: "oms.sagas.overdue",
    description: "Unfinished sagas whose deadline passed more than a sweep ago (should be 0)",
    labelNames: [],
  },
  payments: {
    type: "counter",
    name: "oms.payments.total",
    description:
      "Provider answers recorded on payments, by outcome: completed, failed, cancelled, refunded",
    labelNames: ["outcome"],
  },
  serviceReady: {
    type: "gauge",
    name: "oms.service.ready",
    description:
      "1 when the service's database answered its last sample and its message bus is healthy, else 0",
    labelNames: ["service"],
  },
  outboxBacklog: {
    type: "gauge",
    name: "oms.outbox.backlog",
    description: "Outbox rows not yet published, by service (parked rows not included)",
    labelNames: ["service"],
  },
  outboxOldestAge: {
    type: "gauge",
    name: "oms.outbox.oldest.age.seconds",
    description: "Age of the oldest outbox row not yet published, by service (0 when empty)",
    labelNames: ["service"],
  },
  outboxParked: {
    type: "gauge",
    name: "oms.outbox.parked",
    description: "Outbox rows the broker refused for good, waiting for an operator, by service",
    labelNames: ["service"],
  },
  consumerLag: {
    type: "gauge",
    name: "oms.consumer.lag",
    description:
      "Records a consumer group has still to handle, per topic and partition (end offset minus committed offset)",
    labelNames: ["group", "topic", "partition"],
  },
  handlerDuration: {
    type: "histogram",
    name: "oms.handler.duration.seconds",
    description:
      "Time to handle one consumed batch in its transaction, by consumer group and topic",
    labelNames: ["group", "topic"],
    buckets: SECONDS_BUCKETS,
  },
  handlerRetries: {
    type: "counter",
    name: "oms.handler.retries.total",
    description: "Messages handled again after a failure, by consumer group and topic",
    labelNames: ["group", "topic"],
  },
  deadLettersParked: {
    type: "counter",
    name: "oms.dead.letters.parked.total",
    description: "Messages dead-lettered, by consumer group, source topic and error code",
    labelNames: ["group", "topic", "code"],
  },
  deadLettersReplayed: {
    type: "counter",
    name: "oms.dead.letters.replayed.total",
    description: "Dead letters replayed to their source topic, by consumer group and topic",
    labelNames: ["group", "topic"],
  },
  deadLettersWaiting: {
    type: "gauge",
    name: "oms.dead.letters.waiting",
    description: "Dead letters not yet replayed, by service (sampled from its database)",
    labelNames: ["service"],
  },
  httpRequests: {
    type: "counter",
    name: "oms.http.requests.total",
    description: "HTTP requests answered by the gateway, by route and status",
    labelNames: ["route", "status"],
  },
} as const satisfies Record<string, MetricDefinition>;

export type OmsMetric = keyof typeof OMS_METRICS;

/** Registers every OMS metric on the broker (a no-op when metrics are off). */
export function registerOmsMetrics(broker: ServiceBroker): void {
  if (!broker.isMetricsEnabled()) return;
  for (const metric of Object.values(OMS_METRICS) as MetricDefinition[]) {
    const common = {
      name: metric.name,
      description: metric.description,
      labelNames: [...metric.labelNames],
      // Prometheus computes rates itself; Moleculer's own would only add series.
      rate: false,
    };
    if (metric.type === "histogram")
      broker.metrics.register({ ...common, type: "histogram", buckets: [...metric.buckets!] });
    else if (metric.type === "counter") broker.metrics.register({ ...common, type: "counter" });
    else broker.metrics.register({ ...common, type: "gauge" });
  }
}

type Labels = Record<string, string>;

/** How the code records OMS metrics: by the names above, never by a string of its own. */
export class OmsMetrics {
  /** The messaging layer's reports, as the metrics above. */
  readonly messaging: MessagingMetrics = {
    handled: (group, topic, seconds) => this.observe("handlerDuration", seconds, { group, topic }),
    retried: (group, topic) => this.increment("handlerRetries", { group, topic }),
    deadLettered: (group, topic, code) =>
      this.increment("deadLettersParked", { group, topic, code }),
    replayed: (group, topic) => this.increment("deadLettersReplayed", { group, topic }),
    unavailable: (service) => this.set("serviceReady", 0, { service }),
    sampled: (service, sample) => {
      this.set("serviceReady", sample.busHealthy ? 1 : 0, { service });
      this.set("outboxBacklog", sample.outboxBacklog, { service });
      this.set("outboxOldestAge", sample.outboxOldestAgeSeconds, { service });
      this.set("outboxParked", sample.outboxParked, { service });
      this.set("deadLettersWaiting", sample.deadLettersWaiting, { service });
      for (const { topic, partition, lag } of sample.lag)
        this.set("consumerLag", lag, { group: sample.group, topic, partition: String(partition) });
    },
  };

  constructor(private readonly broker: ServiceBroker) {}

  increment(metric: OmsMetric, labels?: Labels, by = 1): void {
    this.broker.metrics.increment(OMS_METRICS[metric].name, labels, by);
  }

  set(metric: OmsMetric, value: number, labels?: Labels): void {
    this.broker.metrics.set(OMS_METRICS[metric].name, value, labels);
  }

  observe(metric: OmsMetric, value: number, labels?: Labels): void {
    this.broker.metrics.observe(OMS_METRICS[metric].name, value, labels);
  }
}
