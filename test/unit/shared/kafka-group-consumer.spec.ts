import type { Consumer, ConsumerConfig, Kafka } from "kafkajs";
import { KafkaGroupConsumer } from "../../../services/shared/messaging/kafka-group-consumer";
import { quietLogger } from "../../support/quiet-logger";

/** kafkajs as far as the group consumer uses it, keeping the configuration it was given. */
function fakeKafka() {
  const configs: ConsumerConfig[] = [];
  const consumer = {
    events: { GROUP_JOIN: "join", CRASH: "crash", REBALANCING: "rebalancing" },
    on: () => undefined,
    connect: async () => undefined,
    subscribe: async () => undefined,
    run: async () => undefined,
    disconnect: async () => undefined,
    commitOffsets: async () => undefined,
  };
  const kafka = {
    consumer: (config: ConsumerConfig) => {
      configs.push(config);
      return consumer as unknown as Consumer;
    },
  };
  return { kafka: kafka as unknown as Kafka, configs };
}

describe("KafkaGroupConsumer", () => {
  it("lets kafkajs restart a crashed consumer while it runs, never once it is closed", async () => {
    // Seen in CI: a consumer whose fetch failed as close() cut its connections was restarted by
    // kafkajs 100 ms later, after the test had ended.
    const { kafka, configs } = fakeKafka();
    const member = new KafkaGroupConsumer({
      kafka,
      groupId: "saga-service",
      topics: ["order.created"],
      partitionsConsumedConcurrently: 3,
      batchSize: 100,
      handler: async () => undefined,
      logicalTopic: (topic) => topic,
      logger: quietLogger,
    });
    await member.start();
    const restartOnFailure = configs[0]!.retry!.restartOnFailure!;
    const crash = new Error("Closed connection");
    await expect(restartOnFailure(crash)).resolves.toBe(true);

    await member.close();
    await expect(restartOnFailure(crash)).resolves.toBe(false);
  });
});
