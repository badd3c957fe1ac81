import { KafkaBus } from "../../services/shared/messaging/kafka-bus";
import { describeBusContract } from "./bus-contract.suite";

const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: console.error,
};

describeBusContract(
  "Kafka bus",
  async () =>
    new KafkaBus(
      {
        brokers,
        clientId: "bus-contract",
        topicPrefix: "",
        topicPartitions: 3,
        replicationFactor: 1,
      },
      quiet,
    ),
  30_000,
);
