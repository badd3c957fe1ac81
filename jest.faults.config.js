/**
 * `npm run test:faults`: the fault-injection suite (docs/adr/0011, 0012, 0013). Like the e2e
 * suite it runs every service in its own process over real Kafka (npm run kafka:start) and real
 * PostgreSQL, then breaks things on purpose: SIGKILLs at chosen points, cut database connections,
 * a killed broker, injected deadlocks, duplicated and reordered replies. Serial: the scenarios
 * share one broker, and one of them kills it.
 */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testMatch: ["<rootDir>/test/faults/**/*.faults.spec.ts"],
  maxWorkers: 1,
  testTimeout: 240_000,
};
