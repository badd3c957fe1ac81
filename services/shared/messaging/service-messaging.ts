import { ALL_TOPICS, deadLetterTopicOf } from "../../../contracts";
import type { AppConfig } from "../config/config";
import type { SqlDatabase } from "../db/sql-database";
import type { UnitOfWork, UnitOfWorkFactory } from "../db/unit-of-work";
import type { Logger } from "../logger";
import { ConsumerRunner, type MessageConsumer } from "./consumer-runner";
import { DeadLetterStore } from "./dead-letters";
import type { MessageBus } from "./message-bus.port";
import type { MessageTracing } from "./message-tracing";
import { OutboxRelay } from "./outbox-relay";
import type { PeriodicSampler } from "../runtime/periodic-task";
import type { MessagingMetrics } from "./messaging-metrics";
import { messagingSampler } from "./messaging-sampler";
import { MessagingRetention } from "./retention";

/** Every business topic and its dead-letter topic; each service creates them all at start-up. */
const TOPICS_TO_CREATE = [...ALL_TOPICS, ...ALL_TOPICS.map(deadLetterTopicOf)];

/**
 * One service's messaging: its outbox relay, its consumers (one consumer group named after the
 * service), its dead letters and the pruning of what it keeps, all on the service's own database.
 */
export class ServiceMessaging<W extends UnitOfWork> {
  readonly relay: OutboxRelay;
  readonly deadLetters: DeadLetterStore;
  private readonly consumers: ConsumerRunner<W>;
  private readonly retention: MessagingRetention;
  private readonly sampler: PeriodicSampler | undefined;

  constructor(
    private readonly options: {
      /** The service's name: its consumer group is `<service>-service`. */
      service: string;
      database: SqlDatabase;
      unitOfWork: UnitOfWorkFactory<W>;
      bus: MessageBus;
      config: Pick<AppConfig, "nodeId" | "outbox" | "consumer" | "retention" | "metrics">;
      logger: Logger;
      metrics: MessagingMetrics;
      tracing: MessageTracing;
      /** Called after each transaction the consumers commit (e.g. to wake a worker). */
      afterCommit?: () => void;
    },
  ) {
    const { service, database, unitOfWork, bus, config, logger, metrics, tracing } = options;
    const groupId = `${service}-service`;
    this.relay = new OutboxRelay({
      database,
      bus,
      logger,
      owner: config.nodeId,
      ...config.outbox,
      tracing,
      service,
    });
    this.deadLetters = new DeadLetterStore(database, bus, groupId, logger, metrics);
    this.retention = new MessagingRetention({ database, logger, ...config.retention });
    this.sampler = config.metrics.enabled
      ? messagingSampler({
          service,
          database,
          group: groupId,
          topics: () => this.consumers.topics,
          bus,
          metrics,
          intervalMs: config.metrics.sampleIntervalMs,
          logger,
        })
      : undefined;
    this.consumers = new ConsumerRunner({
      groupId,
      database,
      unitOfWork,
      bus,
      deadLetters: this.deadLetters,
      logger,
      ...config.consumer,
      metrics,
      tracing,
      service,
      afterCommit: (outboxIds) => {
        this.relay.kick(outboxIds);
        options.afterCommit?.();
      },
    });
  }

  /** Creates the topics and subscribes the consumers. The relay starts separately (startRelay). */
  async start(consumers: readonly MessageConsumer<W>[]): Promise<void> {
    await this.options.bus.ensureTopics(TOPICS_TO_CREATE);
    await this.consumers.start(consumers);
    this.retention.start();
    this.sampler?.start();
  }

  /**
   * Called once the whole broker is up: in embedded mode every consumer group of the process is
   * subscribed by then, so nothing the relay publishes finds a topic without its consumers.
   */
  startRelay(): Promise<void> {
    return this.relay.start();
  }

  async stop(): Promise<void> {
    await this.sampler?.stop();
    await this.retention.stop();
    await this.consumers.stop();
    await this.relay.stop();
  }
}
