import type { Middleware, ServiceBroker } from "moleculer";
import type { AppConfig } from "../config/config";
import { startEmbeddedPostgres, type RunningPostgres } from "../db/embedded-postgres";
import type { MessageBus } from "../messaging/message-bus.port";
import { NO_MESSAGE_TRACING, type MessageTracing } from "../messaging/message-tracing";
import { createMessageBus } from "./message-bus.factory";
import { OmsMetrics, registerOmsMetrics } from "./oms-metrics";
import { MoleculerMessageTracing } from "./tracing";

/**
 * What every local service of a broker shares: the configuration, the message bus, the metrics,
 * and the tracer the messaging code opens its spans with.
 */
export interface Platform {
  config: AppConfig;
  bus: MessageBus;
  metrics: OmsMetrics;
  tracing: MessageTracing;
}

const platforms = new WeakMap<ServiceBroker, Platform>();

export function platformOf(broker: ServiceBroker): Platform {
  const platform = platforms.get(broker);
  if (!platform)
    throw new Error(
      "this broker was created without the OMS platform middleware (see moleculer.config.ts)",
    );
  return platform;
}

/**
 * Broker-level set-up, shared by `npm start`, the distributed nodes, the REPL and the tests:
 * - created: one message bus per process (in-process without Kafka, Kafka bus with it), the
 *   OMS's metrics registered, and its tracer;
 * - starting: the embedded PostgreSQL when no database URL is configured and a local service
 *   owns a database (before any service starts, so their migrations find a server);
 * - stopped: close the bus, then stop the embedded PostgreSQL.
 */
export function createPlatformMiddleware(config: AppConfig): Middleware {
  let postgres: RunningPostgres | undefined;
  return {
    name: "OmsPlatform",
    created(broker) {
      registerOmsMetrics(broker);
      platforms.set(broker, {
        config,
        bus: createMessageBus(config, broker.getLogger("bus")),
        metrics: new OmsMetrics(broker),
        tracing: config.tracing.enabled
          ? new MoleculerMessageTracing(broker.tracer)
          : NO_MESSAGE_TRACING,
      });
    },
    async starting(broker) {
      const ownsDatabase = broker.services.some((service) => service.metadata?.database);
      if (!config.embeddedPostgres || !ownsDatabase) return;
      if (config.kafka) {
        throw new Error(
          "distributed mode (KAFKA_BROKERS) needs ORDER_DATABASE_URL, PAYMENT_DATABASE_URL and SAGA_DATABASE_URL: " +
            "separate nodes cannot share one embedded PostgreSQL",
        );
      }
      postgres = await startEmbeddedPostgres({
        ...config.embeddedPostgres,
        logger: broker.getLogger("postgres"),
      });
    },
    async stopped(broker) {
      await platformOf(broker).bus.close();
      await postgres?.stop();
    },
  };
}
