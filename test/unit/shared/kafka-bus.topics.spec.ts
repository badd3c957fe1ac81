import { Kafka, KafkaJSProtocolError, type Admin, type ITopicMetadata } from "kafkajs";
import { KafkaBus } from "../../../services/shared/messaging/kafka-bus";

// What kafkajs throws for the broker's error code 3 (its protocol/error.js entry).
const notHosted = () =>
  new KafkaJSProtocolError(
    Object.assign(new Error("This server does not host this topic-partition"), {
      type: "UNKNOWN_TOPIC_OR_PARTITION",
      code: 3,
      retriable: true,
    }),
  );

/**
 * A broker that has just created a topic answers metadata requests with "not hosted" until it has
 * applied the topic's metadata (seen in CI right after a broker restart). kafkajs' own
 * `createTopics({ waitForLeaders: true })` fails on that answer; the bus must wait it out.
 */
function brokerApplyingNewTopics(notHostedAnswers: number) {
  const created = new Set<string>();
  let answersLeft = notHostedAnswers;
  const metadata = (topics: string[]): { topics: ITopicMetadata[] } => {
    if (answersLeft-- > 0) throw notHosted();
    return {
      topics: topics.map((name) => ({
        name,
        partitions: [0, 1, 2].map((partitionId) => ({
          partitionId,
          leader: created.has(name) ? 1 : -1,
          replicas: [1],
          isr: [1],
          offlineReplicas: [],
          partitionErrorCode: 0,
        })),
      })),
    };
  };
  const admin: Partial<Admin> = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    listTopics: async () => [...created],
    createTopics: async ({ topics, waitForLeaders }) => {
      for (const { topic } of topics) created.add(topic);
      // As kafkajs does: its wait gives up on anything but LEADER_NOT_AVAILABLE.
      if (waitForLeaders) metadata(topics.map(({ topic }) => topic));
      return true;
    },
    fetchTopicMetadata: async (options) => metadata(options?.topics ?? []),
  };
  return { admin: admin as Admin, created };
}

describe("Kafka bus: creating topics", () => {
  afterEach(() => jest.restoreAllMocks());

  it("waits out a broker that does not host a just-created topic yet", async () => {
    const broker = brokerApplyingNewTopics(2);
    jest.spyOn(Kafka.prototype, "admin").mockReturnValue(broker.admin);
    const logger = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
    const bus = new KafkaBus(
      {
        brokers: ["127.0.0.1:1"],
        clientId: "topics-test",
        topicPrefix: "test.",
        topicPartitions: 3,
        replicationFactor: 1,
      },
      logger,
    );

    await expect(bus.ensureTopics(["order.created"])).resolves.toBeUndefined();
    expect([...broker.created]).toEqual(["test.order.created"]);
  });
});
