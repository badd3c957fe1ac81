/**
 * `npm run bench`: the OMS's throughput and latency, as a ratio to what PostgreSQL can commit of
 * the same work, measured in the same run.
 *
 *   npm run bench [-- --modes embedded,distributed] [--seconds 10] [--burst 20000] [--quick]
 *
 * For each mode: the pgbench ceiling on the mode's own PostgreSQL; a 1,000- and a 20,000-order
 * burst (closed loop, 64 connections) for the most it sustains and whether that depends on the
 * backlog; open-loop phases at 25/50/70/90 % of that rate for latency; one order at a time on an
 * idle system; then a check of every order, payment, saga, outbox row and dead letter. Writes
 * bench/results/<date>.json and .svg and exits 1 if any order did not end as its amount says.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { measureCeiling } from "./ceiling";
import { CpuMeter, selfCpuMs } from "./cpu";
import { HttpLoad } from "./http-load";
import { OmsDatabases } from "./oms-databases";
import { idleLatency, measure, measureWithCost, type PhaseContext } from "./phases";
import { renderChart, renderTable, type ModeResult } from "./report";
import { callerToken } from "../support/caller-token";
import { freePort } from "../support/free-port";
import { ensureKafka, startDistributed, startEmbedded, type RunningSystem } from "./systems";

const DECLINE_ABOVE = "100000.00";
const DECLINE_ABOVE_MINOR = 10_000_000;
/** Every tenth order is above the provider's limit, so both endings of the saga are measured. */
const orderBody = (index: number) =>
  JSON.stringify({
    items: [
      { productId: `bench-${index % 50}`, quantity: 1, price: index % 10 === 9 ? 150000 : 100.5 },
    ],
  });

interface Options {
  modes: Array<"embedded" | "distributed">;
  quick: boolean;
  seconds: number;
  burst: number;
  fractions: number[];
}

async function main(): Promise<void> {
  const options = parseOptions();
  const run = Date.now().toString(36);
  const kafkaBrokers = process.env.KAFKA_BROKERS ?? "127.0.0.1:9092";
  const databaseUrl =
    process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  // Its own key for the systems it starts, before their environment is made.
  await callerToken({ ownKey: true });
  // The benchmark measures throughput: one customer's requests are not rate limited.
  const env = {
    LOG_LEVEL: "warn",
    PAYMENT_DECLINE_ABOVE: DECLINE_ABOVE,
    RATE_LIMIT_RPS: "0",
    ...process.env,
  };
  const results: ModeResult[] = [];
  for (const mode of options.modes) {
    let stopKafka = () => undefined as void;
    if (mode === "distributed") stopKafka = await ensureKafka(kafkaBrokers);
    const port = await freePort();
    const system =
      mode === "embedded"
        ? await startEmbedded({ run, port, env })
        : await startDistributed({ run, port, env }, { databaseUrl, kafkaBrokers });
    try {
      results.push(await benchmark(system, options, kafkaBrokers));
    } finally {
      await system.stop();
      stopKafka();
    }
  }
  report(results, options);
}

async function benchmark(
  system: RunningSystem,
  options: Options,
  kafkaBrokers: string,
): Promise<ModeResult> {
  const log = (message: string) => console.log(`[${system.mode}] ${message}`);
  const server = new URL(system.databases.order);
  server.pathname = "/postgres";
  log("measuring the pgbench ceiling on its PostgreSQL ...");
  const ceiling = await measureCeiling(server.toString());
  log(`ceiling ${ceiling.ordersPerSecond.toFixed(0)} orders/s`);

  const load = new HttpLoad(system.baseUrl, await callerToken());
  const databases = new OmsDatabases(system.databases);
  const context: PhaseContext = { system, load, databases, body: orderBody, kafkaBrokers };
  try {
    log("warming up ...");
    await measure(context, "warm-up", null, () => load.burst(500, 16, orderBody));
    const idle = await idleLatency(context, 20);
    log(`idle created→final median ${idle.p50.toFixed(1)} ms`);
    const short = await measure(context, "burst 1k", null, () => load.burst(1_000, 64, orderBody));
    log(`burst 1k: ${short.completedPerSecond.toFixed(0)} completed/s`);
    const cpu = new CpuMeter({ ...system.cpu, "load generator": selfCpuMs });
    const long = await measureWithCost(context, cpu, `burst ${options.burst / 1000}k`, () =>
      load.burst(options.burst, 64, orderBody),
    );
    const max = long.phase.completedPerSecond;
    log(`burst ${options.burst}: ${max.toFixed(0)} completed/s`);
    const phases = [short, long.phase];
    for (const fraction of options.fractions) {
      const rate = Math.max(1, Math.round(max * fraction));
      const phase = await measure(context, `open loop ${fraction * 100}%`, rate, () =>
        load.openLoop(rate, options.seconds * 1000, orderBody),
      );
      log(`open loop ${rate}/s: created→final p99 ${phase.final.p99.toFixed(0)} ms`);
      phases.push(phase);
    }
    return {
      mode: system.mode,
      ceiling,
      phases,
      idle,
      maxCompletedPerSecond: max,
      ratioToCeiling: max / ceiling.ordersPerSecond,
      backlogLinearity: max / short.completedPerSecond,
      cost: long.cost,
      problems: await databases.problems(DECLINE_ABOVE_MINOR),
    };
  } finally {
    await load.close();
    await databases.close();
  }
}

function report(results: ModeResult[], options: Options): void {
  const date = new Date().toISOString().slice(0, 10);
  const directory = path.join(process.cwd(), "bench/results");
  mkdirSync(directory, { recursive: true });
  // Only a full run of both modes is the day's result; others do not replace it.
  const partial = [
    ...(options.modes.length < 2 ? options.modes : []),
    ...(options.quick ? ["quick"] : []),
  ];
  const name = [date, ...partial].join("-");
  const file = path.join(directory, name);
  writeFileSync(
    `${file}.json`,
    `${JSON.stringify({ date, machine: machine(), results }, null, 2)}\n`,
  );
  writeFileSync(`${file}.svg`, renderChart(results));
  console.log(`\n${renderTable(results)}\n`);
  console.log(`Written: bench/results/${name}.json and .svg`);
  const problems = results.flatMap((result) =>
    result.problems.map((problem) => `${result.mode}: ${problem}`),
  );
  if (problems.length > 0) {
    console.error(
      `\nFAILED: the OMS did not end every order as it should:\n  ${problems.join("\n  ")}`,
    );
    process.exitCode = 1;
  }
}

function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      modes: { type: "string", default: "embedded,distributed" },
      seconds: { type: "string", default: "10" },
      burst: { type: "string", default: "20000" },
      quick: { type: "boolean", default: false },
    },
  });
  const modes = values.modes!.split(",").map((mode) => mode.trim());
  for (const mode of modes)
    if (mode !== "embedded" && mode !== "distributed") throw new Error(`unknown mode "${mode}"`);
  return {
    modes: modes as Options["modes"],
    quick: values.quick!,
    seconds: values.quick ? 5 : Number(values.seconds),
    burst: values.quick ? 5_000 : Number(values.burst),
    fractions: values.quick ? [0.5, 0.7] : [0.25, 0.5, 0.7, 0.9],
  };
}

// kafkajs, which counts the Kafka records, trips Node 24's TimeoutNegativeWarning once: harmless
// (ADR 0001), and not something to print in the middle of the figures.
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name !== "TimeoutNegativeWarning") console.warn(warning);
});

main().catch((error: unknown) => {
  console.error("The benchmark failed:", error instanceof Error ? error.message : error);
  process.exit(1);
});
