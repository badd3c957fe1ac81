import path from "node:path";
import { ConfigError, loadConfig } from "../../../services/shared/config/config";

const ALL_URLS = {
  ORDER_DATABASE_URL: "postgres://u:p@db:5432/orders",
  PAYMENT_DATABASE_URL: "postgres://u:p@db:5432/payments",
  SAGA_DATABASE_URL: "postgres://u:p@db:5432/sagas",
};

/** The ConfigError loadConfig throws for `env`, as a matcher target. */
const loading = (env: NodeJS.ProcessEnv) => () => loadConfig(env);
const configErrorMentioning = (text: string) =>
  expect.objectContaining({ constructor: ConfigError, message: expect.stringContaining(text) });

describe("loadConfig defaults (an empty environment)", () => {
  const config = loadConfig({});

  it("runs embedded: its own PostgreSQL and the in-process bus", () => {
    expect(config.embeddedPostgres).toEqual({
      port: 54329,
      dataDir: path.resolve(".data/postgres"),
    });
    expect(config.databases).toEqual({
      order: "postgres://postgres:postgres@127.0.0.1:54329/oms_order",
      payment: "postgres://postgres:postgres@127.0.0.1:54329/oms_payment",
      saga: "postgres://postgres:postgres@127.0.0.1:54329/oms_saga",
    });
    expect(config.kafka).toBeNull();
    expect(config.transporter).toBeNull();
  });

  it("listens on 3000, charges in INR, declines above 100000.00, logs at info", () => {
    expect(config.http).toEqual({
      host: "0.0.0.0",
      port: 3000,
      bodyLimit: "1mb",
      rateLimitRps: 100,
    });
    expect(config.currency).toBe("INR");
    expect(config.payment.declineAbove).toBe("100000.00");
    expect(config.logLevel).toBe("info");
    expect(config.namespace).toBe("oms");
  });
});

describe("loadConfig databases", () => {
  it("all three URLs: not embedded, each service gets its own URL", () => {
    const config = loadConfig({ ...ALL_URLS });
    expect(config.embeddedPostgres).toBeNull();
    expect(config.databases).toEqual({
      order: ALL_URLS.ORDER_DATABASE_URL,
      payment: ALL_URLS.PAYMENT_DATABASE_URL,
      saga: ALL_URLS.SAGA_DATABASE_URL,
    });
  });

  it("only some URLs: a ConfigError naming exactly the missing variables", () => {
    const load = loading({ ORDER_DATABASE_URL: ALL_URLS.ORDER_DATABASE_URL });
    expect(load).toThrow(configErrorMentioning("PAYMENT_DATABASE_URL"));
    expect(load).toThrow(configErrorMentioning("SAGA_DATABASE_URL"));
    expect(load).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("ORDER_DATABASE_URL") }),
    );
  });

  it("a blank URL counts as missing", () => {
    expect(loading({ ...ALL_URLS, SAGA_DATABASE_URL: "   " })).toThrow(
      configErrorMentioning("SAGA_DATABASE_URL"),
    );
  });

  it("EMBEDDED_PG_PORT moves the embedded server and its URLs", () => {
    const config = loadConfig({ EMBEDDED_PG_PORT: "6543" });
    expect(config.embeddedPostgres?.port).toBe(6543);
    expect(config.databases.order).toContain("127.0.0.1:6543/");
  });
});

describe("loadConfig rejects bad values, naming the variable", () => {
  it.each([
    ["PORT", "abc"],
    ["PORT", "3.5"],
    ["PORT", "-1"],
    ["EMBEDDED_PG_PORT", "0"],
    ["OUTBOX_POLL_INTERVAL_MS", "5"],
    ["OUTBOX_BATCH_SIZE", "0"],
    ["CONSUMER_MAX_ATTEMPTS", "many"],
    ["REQUEST_TIMEOUT_MS", "99"],
    ["LOG_LEVEL", "verbose"],
    ["CURRENCY", "inr"],
    ["CURRENCY", "RUPEE"],
    ["METRICS_ENABLED", "yes"],
    ["TRACING_ENABLED", "1"],
    ["TRACING_SAMPLE_RATE", "1.5"],
    ["TRACING_SAMPLE_RATE", "half"],
    ["TRACING_TRACES_PER_SECOND", "-1"],
    ["TRACING_ZIPKIN_URL", "zipkin:9411"],
  ])("%s=%p", (name, value) => {
    expect(loading({ [name]: value })).toThrow(configErrorMentioning(name));
  });

  it("accepts the values at each lower bound", () => {
    const config = loadConfig({
      PORT: "0",
      OUTBOX_POLL_INTERVAL_MS: "10",
      REQUEST_TIMEOUT_MS: "100",
    });
    expect(config.http.port).toBe(0);
    expect(config.outbox.pollIntervalMs).toBe(10);
    expect(config.requestTimeoutMs).toBe(100);
  });

  it("traces by default, exporting only where a collector is named", () => {
    expect(loadConfig({}).tracing).toEqual({
      enabled: true,
      zipkinUrl: undefined,
      tracesPerSecond: 10,
      sampleRate: 1,
    });
    const config = loadConfig({
      TRACING_ZIPKIN_URL: "http://zipkin:9411/",
      TRACING_TRACES_PER_SECOND: "0",
      TRACING_SAMPLE_RATE: "0.25",
      TRACING_ENABLED: "false",
    });
    expect(config.tracing).toEqual({
      enabled: false,
      zipkinUrl: "http://zipkin:9411",
      tracesPerSecond: 0,
      sampleRate: 0.25,
    });
  });

  it("accepts another log level and currency", () => {
    const config = loadConfig({ LOG_LEVEL: "debug", CURRENCY: "USD" });
    expect(config.logLevel).toBe("debug");
    expect(config.currency).toBe("USD");
  });
});

describe("loadConfig Kafka", () => {
  it("KAFKA_BROKERS turns Kafka on: trimmed broker list and defaults", () => {
    expect(loadConfig({ KAFKA_BROKERS: "kafka-1:9092, kafka-2:9092" }).kafka).toEqual({
      brokers: ["kafka-1:9092", "kafka-2:9092"],
      clientId: "oms",
      topicPrefix: "",
      topicPartitions: 6,
      replicationFactor: 1,
    });
  });

  it("reads partitions, replication and client id", () => {
    const kafka = loadConfig({
      KAFKA_BROKERS: "k:9092",
      KAFKA_CLIENT_ID: "oms-test",
      KAFKA_TOPIC_PARTITIONS: "12",
      KAFKA_REPLICATION_FACTOR: "3",
    }).kafka;
    expect(kafka).toMatchObject({
      clientId: "oms-test",
      topicPartitions: 12,
      replicationFactor: 3,
    });
  });

  it("refuses zero partitions", () => {
    expect(loading({ KAFKA_BROKERS: "k:9092", KAFKA_TOPIC_PARTITIONS: "0" })).toThrow(
      configErrorMentioning("KAFKA_TOPIC_PARTITIONS"),
    );
  });

  // Regression: an empty entry used to reach the Kafka client and fail only there.
  it("ignores empty entries in KAFKA_BROKERS (a trailing or doubled comma)", () => {
    expect(loadConfig({ KAFKA_BROKERS: "kafka-1:9092,,kafka-2:9092," }).kafka?.brokers).toEqual([
      "kafka-1:9092",
      "kafka-2:9092",
    ]);
  });

  it("refuses a KAFKA_BROKERS that names no broker", () => {
    expect(loading({ KAFKA_BROKERS: " , " })).toThrow(configErrorMentioning("KAFKA_BROKERS"));
  });

  it("reads KAFKA_TOPIC_PREFIX", () => {
    expect(
      loadConfig({ KAFKA_BROKERS: "k:9092", KAFKA_TOPIC_PREFIX: "staging." }).kafka?.topicPrefix,
    ).toBe("staging.");
  });
});
