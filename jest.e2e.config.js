/**
 * `npm run test:e2e`: real Kafka (npm run kafka:start) and real PostgreSQL (TEST_DATABASE_URL,
 * default the local server on 127.0.0.1:5432), every service in its own process. Serial: the
 * scenarios kill and restart processes and share one broker.
 */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testMatch: ["<rootDir>/test/e2e/**/*.spec.ts", "<rootDir>/test/bus-contract/kafka-bus.spec.ts"],
  maxWorkers: 1,
  testTimeout: 240_000,
};
