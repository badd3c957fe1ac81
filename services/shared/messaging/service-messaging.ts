import { ALL_TOPICS, deadLetterTopicOf } from "../../../contracts";
import type { Sequelize } from "sequelize";
import type { AppConfig } from "../config/config";
import type { Logger } from "../logger";
import { ConsumerRunner, type MessageConsumer } from "./consumer-runner";
import { DeadLetterStore } from "./dead-letters";
import type { MessageBus } from "./message-bus.port";
import { OutboxRelay } from "./outbox-relay";

/** Every business topic and its dead-letter topic; each service creates them all at start-up. */
const TOPICS_TO_CREATE = [...ALL_TOPICS, ...ALL_TOPICS.map(deadLetterTopicOf)];

/**
 * One service's messaging: its outbox relay, its consumers (one consumer group named after the
 * service) and its dead letters, all on the service's own database.
 */
export class ServiceMessaging {
  readonly relay: OutboxRelay;
  readonly deadLetters: DeadLetterStore;
  private readonly consumers: ConsumerRunner;

  constructor(
    private readonly options: {
      groupId: string;
      sequelize: Sequelize;
      bus: MessageBus;
      config: Pick<AppConfig, "outbox" | "consumer">;
      logger: Logger;
    },
  ) {
    const { groupId, sequelize, bus, config, logger } = options;
    this.relay = new OutboxRelay({ sequelize, bus, logger, ...config.outbox });
    this.deadLetters = new DeadLetterStore(sequelize, bus, groupId);
    this.consumers = new ConsumerRunner({
      groupId,
      sequelize,
      bus,
      deadLetters: this.deadLetters,
      logger,
      ...config.consumer,
      afterCommit: () => this.relay.kick(),
    });
  }

  /** Creates the topics and subscribes the consumers. The relay starts separately (startRelay). */
  async start(consumers: readonly MessageConsumer[]): Promise<void> {
    await this.options.bus.ensureTopics(TOPICS_TO_CREATE);
    await this.consumers.start(consumers);
  }

  /**
   * Called once the whole broker is up: in embedded mode every consumer group of the process is
   * subscribed by then, so nothing the relay publishes finds a topic without its consumers.
   */
  startRelay(): void {
    this.relay.start();
  }

  async stop(): Promise<void> {
    await this.consumers.stop();
    await this.relay.stop();
  }
}
