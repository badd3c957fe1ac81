import path from "node:path";
import { parseArgs } from "node:util";
import { ServiceBroker } from "moleculer";
import { developmentKey, signToken } from "./services/api/auth";
import { loadConfig, type AppConfig } from "./services/shared/config/config";
import { createBrokerOptions } from "./services/shared/runtime/broker-options";

/** The services this repository runs; each is one Moleculer service in its own file. */
const SERVICE_FILES = {
  api: "./services/api/api.service",
  order: "./services/order/order.service",
  payment: "./services/payment/payment.service",
  saga: "./services/saga/saga.service",
} as const;
type ServiceName = keyof typeof SERVICE_FILES;
const ALL_SERVICES = Object.keys(SERVICE_FILES) as ServiceName[];

/**
 * The program: one entry point for every way to run the OMS (compiled to dist/main.js):
 *   main                      all services in one process (npm start)
 *   main order [--instance 2] one service as its own node, id "order-2" (npm run node -- order)
 *   main --repl               the REPL: all services when embedded, a bare REPL node on Kafka
 */
async function main(): Promise<void> {
  const started = Date.now();
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      repl: { type: "boolean", default: false },
      instance: { type: "string", short: "i", default: "1" },
    },
  });
  const unknown = positionals.filter((name) => !(name in SERVICE_FILES));
  if (unknown.length > 0)
    throw new Error(
      `unknown service(s) ${unknown.join(", ")}; choose from ${ALL_SERVICES.join(", ")}`,
    );

  const distributedRepl = values.repl && process.env.KAFKA_BROKERS;
  const services =
    positionals.length > 0 ? (positionals as ServiceName[]) : distributedRepl ? [] : ALL_SERVICES;
  const defaultNodeId = values.repl
    ? `repl-${process.pid}`
    : positionals.length > 0
      ? `${services.join("-")}-${values.instance}`
      : "oms-embedded";
  const config = loadConfig({ NODE_ID: defaultNodeId, ...process.env });

  const broker = new ServiceBroker(createBrokerOptions(config));
  for (const name of services) broker.loadService(path.join(__dirname, SERVICE_FILES[name]));

  // The broker itself stops gracefully on SIGINT/SIGTERM (waiting for requests in flight, then
  // consumers, relays, connections and the embedded PostgreSQL) and exits 0.
  await broker.start();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const http = services.includes("api") ? `, HTTP on http://localhost:${config.http.port}` : "";
  broker.logger.info(
    `Node ${config.nodeId} ready in ${seconds}s with [${services.join(", ")}]${http}`,
  );
  if (services.includes("api")) await printDevelopmentTokens(config);
  if (values.repl) broker.repl();
}

/**
 * The embedded default signs with a development key it made under .data: it prints a token for
 * a demo customer and one for an admin, ready for the README's curl examples.
 */
async function printDevelopmentTokens(config: AppConfig): Promise<void> {
  const { auth } = config;
  if (auth.jwtSecret || auth.jwks || !auth.devKeyFile) return;
  const secret = developmentKey(auth.devKeyFile);
  const customer = await signToken(auth, secret, "demo");
  const admin = await signToken(auth, secret, "admin", { admin: true });
  console.log(
    [
      "",
      `Development tokens (signed with ${path.relative(process.cwd(), auth.devKeyFile)}; valid 30 days;`,
      "npm run token -- --sub <name> [--admin] makes more):",
      `  export TOKEN=${customer}`,
      `  export ADMIN_TOKEN=${admin}`,
      "",
    ].join("\n"),
  );
}

main().catch((error: unknown) => {
  console.error("Failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
