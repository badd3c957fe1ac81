/**
 * `npm run chaos -- --orders 10000`: the distributed topology (two of each node) under a steady
 * load while every node is SIGKILLed at random, each at least `--kills` times, and the broker
 * once; then the invariants, from the databases and the provider's ledger. See README "Chaos".
 *
 *   --orders N     orders to place (10000)        --rate R       orders per second offered (40)
 *   --kills K      SIGKILLs per node (5)          --seed S       the random choices (1)
 *   --settle S     seconds to wait for the last orders once the chaos stops (300)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { databaseUrls, dropDatabases, ensureKafka, waitUntilReady } from "../bench/systems";
import { freePort } from "../support/free-port";
import { percentiles, round } from "../bench/stats";
import { killBroker, startBroker } from "./broker";
import { placeOrders, type ClientReport } from "./client";
import {
  checkInvariants,
  recoveryAfterKills,
  waitUntilSettled,
  type Invariants,
} from "./invariants";
import { ChaosNode, type Service } from "./nodes";
import { callerToken } from "../support/caller-token";

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}

/** mulberry32: a small seeded generator, so a run's kill sequence can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** What to undo if the run fails half-way: no node or broker of it is left behind. */
const cleanup: Array<() => Promise<unknown> | void> = [];

async function main(): Promise<void> {
  const orders = option("orders", 10_000);
  // About as long as 5 kills of each of the 8 nodes take, so every kill happens under load.
  const rate = option("rate", 40);
  const killsPerNode = option("kills", 5);
  const settleSeconds = option("settle", 300);
  const next = random(option("seed", 1));
  const run = Date.now().toString(36);
  const server = process.env.CHAOS_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const brokers = process.env.KAFKA_BROKERS ?? "127.0.0.1:9092";

  const stopKafka = await ensureKafka(brokers);
  cleanup.push(stopKafka);
  const databases = databaseUrls(server, "oms_chaos_");
  await dropDatabases(server, Object.values(databases));
  const token = await callerToken({ ownKey: true });
  const common = {
    AUTH_JWT_SECRET: process.env.AUTH_JWT_SECRET!,
    RATE_LIMIT_RPS: "0",
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: `chaos.${run}.`,
    NAMESPACE: `chaos-${run}`,
    ORDER_DATABASE_URL: databases.order,
    PAYMENT_DATABASE_URL: databases.payment,
    SAGA_DATABASE_URL: databases.saga,
    // "info": a node says it is ready at that level, and the chaos run waits for it.
    LOG_LEVEL: "info",
  };
  const ports = [await freePort(), await freePort()];
  const gateways = ports.map((port) => `http://127.0.0.1:${port}`);
  const nodes: ChaosNode[] = [];
  for (const service of ["order", "payment", "saga"] as Service[])
    for (const instance of [1, 2]) nodes.push(new ChaosNode(service, instance, common));
  ports.forEach((port, index) =>
    nodes.push(new ChaosNode("api", index + 1, { ...common, PORT: String(port) })),
  );

  cleanup.unshift(() => Promise.all(nodes.map((node) => node.stop())));
  console.log(`chaos ${run}: starting ${nodes.map((node) => node.id).join(", ")}`);
  await Promise.all(nodes.map((node) => node.start()));
  await Promise.all(
    gateways.map((gateway) => waitUntilReady(gateway, [], 120_000, ".data/chaos/logs")),
  );

  const kills: Array<{ node: string; at: number }> = [];
  const restartMs: number[] = [];
  let accepted = 0;
  let clientDone = false;
  const startedAt = Date.now();
  const client: Promise<ClientReport> = placeOrders(gateways, token, orders, rate, (n) => {
    accepted = n;
    if (n % 1000 === 0) console.log(`  ${n} orders accepted, ${kills.length} kills so far`);
  }).finally(() => (clientDone = true));

  let brokerKilled = false;
  /** From the broker's SIGKILL until the gateways accept orders again. */
  const brokerOutage = { from: 0, to: 0 };
  while (!clientDone || nodes.some((node) => node.kills < killsPerNode)) {
    if (!brokerKilled && accepted >= orders / 2) {
      brokerKilled = true;
      brokerOutage.from = Date.now();
      kills.push({ node: "kafka", at: brokerOutage.from });
      await killBroker();
      await sleep(3_000);
      startBroker();
      const before = accepted;
      while (accepted === before && !clientDone) await sleep(100);
      brokerOutage.to = Date.now();
      console.log(
        `  broker SIGKILLed at ${before} orders; orders accepted again after ${((brokerOutage.to - brokerOutage.from) / 1000).toFixed(1)} s`,
      );
    }
    const due = nodes.filter((node) => node.kills < killsPerNode);
    const pool = due.length > 0 ? due : nodes;
    const victim = pool[Math.floor(next() * pool.length)]!;
    kills.push({ node: victim.id, at: Date.now() });
    await victim.kill();
    await sleep(500 + next() * 1_500);
    restartMs.push(await victim.start());
    await sleep(1_000 + next() * 2_000);
  }
  const report = await client;
  const loadEndedAt = Date.now();
  console.log(
    `  load done: ${report.accepted.length} accepted, ${kills.length} kills; waiting for the last orders`,
  );

  const settled = await waitUntilSettled(databases, report.accepted, settleSeconds * 1000);
  const invariants = await checkInvariants(databases, report.accepted);
  const recovery = await recoveryAfterKills(databases, report.accepted, kills);
  for (const undo of cleanup.splice(0)) await undo();

  const recoveries = recovery.map((kill) => kill.recoveredMs).filter(Number.isFinite);
  const result = {
    run,
    date: new Date().toISOString(),
    machine: "2 cores; Kafka, PostgreSQL, 8 nodes and the load generator on one machine",
    settings: { orders, rate, killsPerNode, seed: option("seed", 1) },
    topology: nodes.map((node) => node.id),
    durationSeconds: Math.round((loadEndedAt - startedAt) / 1000),
    settled,
    invariants,
    client: {
      attempts: report.attempts,
      failedAttempts: report.failedAttempts,
      failedAttemptRate: round(report.failedAttempts / report.attempts, 4),
      failures: report.failures,
      // RPC between nodes rides on Kafka: while the broker is down no request can succeed.
      brokerOutageSeconds: round((brokerOutage.to - brokerOutage.from) / 1000, 1),
      failedDuringBrokerOutage: report.failedAt.filter(
        (at) => at >= brokerOutage.from && at <= brokerOutage.to,
      ).length,
      gaveUp: report.gaveUp,
    },
    kills: {
      total: kills.length,
      perNode: Object.fromEntries(nodes.map((node) => [node.id, node.kills])),
      broker: 1,
      restartToReadyMs: percentiles(restartMs),
      recoveredMs: percentiles(recoveries),
      each: recovery,
    },
  };
  printSummary(result);
  const date = result.date.slice(0, 10);
  const dir = path.join(process.cwd(), "bench/results/chaos");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, orders >= 10_000 ? `${date}.json` : `${date}-${orders}-orders.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
  const broken =
    invariants.lost + invariants.stuck + invariants.doubleCharged + invariants.keptForCancelled;
  if (!settled || broken + invariants.confirmedUnpaid + invariants.wrongOutcome > 0)
    process.exitCode = 1;
}

function printSummary(result: {
  invariants: Invariants;
  client: {
    attempts: number;
    failedAttempts: number;
    failedAttemptRate: number;
    brokerOutageSeconds: number;
    failedDuringBrokerOutage: number;
    gaveUp: number;
  };
  kills: {
    total: number;
    restartToReadyMs: { p50: number; p95: number; max: number };
    recoveredMs: { p50: number; p95: number; max: number };
  };
  durationSeconds: number;
}): void {
  const i = result.invariants;
  const lines = [
    ["orders placed (201)", i.placed],
    ["final", i.final],
    ["  confirmed", i.confirmed],
    ["  cancelled", `${i.cancelled} (${i.cancelledTimedOut} after a payment timeout)`],
    ["lost (must be 0)", i.lost],
    ["double-charged (must be 0)", i.doubleCharged],
    ["money kept for a cancelled order (must be 0)", i.keptForCancelled],
    ["confirmed without exactly one charge (must be 0)", i.confirmedUnpaid],
    ["stuck (must be 0)", i.stuck],
    ["outbox rows left / parked", `${i.outboxPending} / ${i.outboxParked}`],
    ["dead letters", i.deadLetters],
    ["kills (SIGKILL, + broker once)", result.kills.total],
    [
      "node restart → ready (p50 / p95 / max)",
      `${result.kills.restartToReadyMs.p50} / ${result.kills.restartToReadyMs.p95} / ${result.kills.restartToReadyMs.max} ms`,
    ],
    [
      "recovered after a kill (p50 / p95 / max)",
      `${result.kills.recoveredMs.p50} / ${result.kills.recoveredMs.p95} / ${result.kills.recoveredMs.max} ms`,
    ],
    [
      "failed POST attempts (retried with the same key)",
      `${result.client.failedAttempts} of ${result.client.attempts} (${(result.client.failedAttemptRate * 100).toFixed(2)} %)`,
    ],
    [
      "  of which while the broker was down",
      `${result.client.failedDuringBrokerOutage} (in ${result.client.brokerOutageSeconds} s)`,
    ],
    [
      "  the others (node kills), of all attempts",
      `${result.client.failedAttempts - result.client.failedDuringBrokerOutage} (${(((result.client.failedAttempts - result.client.failedDuringBrokerOutage) / result.client.attempts) * 100).toFixed(2)} %)`,
    ],
    ["orders the client gave up on", result.client.gaveUp],
    ["load phase", `${result.durationSeconds} s`],
  ];
  console.log("");
  for (const [label, value] of lines) console.log(`${String(label).padEnd(50)} ${value}`);
}

main().catch(async (error: unknown) => {
  console.error(error);
  for (const undo of cleanup.splice(0)) await Promise.resolve(undo()).catch(() => undefined);
  process.exit(1);
});
