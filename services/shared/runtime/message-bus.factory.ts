import type { AppConfig } from "../config/config";
import type { Logger } from "../logger";
import { InProcessBus } from "../messaging/in-process-bus";
import type { MessageBus } from "../messaging/message-bus.port";

/** The bus for this process: Kafka when KAFKA_BROKERS is set, otherwise the in-process bus. */
export function createMessageBus(config: AppConfig, logger: Logger): MessageBus {
  if (config.kafka) {
    throw new Error(
      `the Kafka bus is not available yet (KAFKA_BROKERS=${config.kafka.brokers.join(",")})`,
    );
  }
  logger.debug("Using the in-process message bus");
  return new InProcessBus({ partitions: 4 });
}
