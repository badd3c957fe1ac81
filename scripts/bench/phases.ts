import { setTimeout as sleep } from "node:timers/promises";
import type { CpuMeter } from "./cpu";
import type { HttpLoad, LoadResult, OrderBody } from "./http-load";
import { countKafkaRecords } from "./kafka-records";
import type { OmsDatabases } from "./oms-databases";
import { percentiles, type Percentiles } from "./stats";
import type { RunningSystem } from "./systems";

export interface PhaseResult {
  name: string;
  /** Open loop: the arrival rate; burst: none (as fast as the system answers). */
  offeredPerSecond: number | null;
  orders: number;
  acceptedPerSecond: number;
  /** Orders over the time from the first one's creation to the last one's final state. */
  completedPerSecond: number;
  post: Percentiles;
  /** created → final, by the order service's own timestamps. */
  final: Percentiles;
  refused: Record<string, number>;
}

export interface Cost {
  orders: number;
  commitsPerOrder: number;
  kafkaRecordsPerOrder: Record<string, number> | null;
  cpuMsPerOrder: Record<string, number>;
  /** Every process of the system; the load generator is not part of it. */
  systemCpuMsPerOrder: number;
}

export interface PhaseContext {
  system: RunningSystem;
  load: HttpLoad;
  databases: OmsDatabases;
  body: OrderBody;
  kafkaBrokers: string;
}

/** Runs the load, waits until every order is final, and reads what happened from the databases. */
export async function measure(
  context: PhaseContext,
  name: string,
  offeredPerSecond: number | null,
  run: () => Promise<LoadResult>,
): Promise<PhaseResult> {
  const result = await run();
  await context.databases.waitUntilSettled();
  const orders = result.accepted.length;
  const seconds = await context.databases.completionSeconds(result.accepted);
  return {
    name,
    offeredPerSecond,
    orders,
    acceptedPerSecond: orders / ((result.endedAt - result.startedAt) / 1000),
    completedPerSecond: orders / seconds,
    post: percentiles(result.postLatencies),
    final: percentiles(await context.databases.finalLatencies(result.accepted)),
    refused: result.refused,
  };
}

/** A phase, plus what it cost: commits, Kafka records and CPU per order, until all settled. */
export async function measureWithCost(
  context: PhaseContext,
  cpu: CpuMeter,
  name: string,
  run: () => Promise<LoadResult>,
): Promise<{ phase: PhaseResult; cost: Cost }> {
  const { system, databases, kafkaBrokers } = context;
  const commitsBefore = await databases.commits();
  const recordsBefore = system.kafkaPrefixes
    ? await countKafkaRecords(kafkaBrokers, system.kafkaPrefixes)
    : null;
  cpu.begin();
  const phase = await measure(context, name, null, run);
  const spent = cpu.end();
  const commits = (await databases.commits()) - commitsBefore;
  const recordsAfter = system.kafkaPrefixes
    ? await countKafkaRecords(kafkaBrokers, system.kafkaPrefixes)
    : null;
  const perOrder = (value: number) => value / phase.orders;
  const cpuMsPerOrder = Object.fromEntries(
    Object.entries(spent).map(([process, ms]) => [process, perOrder(ms)]),
  );
  const systemCpu = Object.entries(spent)
    .filter(([process]) => process !== "load generator")
    .reduce((sum, [, ms]) => sum + ms, 0);
  return {
    phase,
    cost: {
      orders: phase.orders,
      commitsPerOrder: perOrder(commits),
      kafkaRecordsPerOrder:
        recordsBefore && recordsAfter
          ? Object.fromEntries(
              Object.keys(recordsAfter).map((kind) => [
                kind,
                perOrder(recordsAfter[kind]! - recordsBefore[kind]!),
              ]),
            )
          : null,
      cpuMsPerOrder,
      systemCpuMsPerOrder: perOrder(systemCpu),
    },
  };
}

/** One order at a time on an idle system: placed, then awaited (one row polled) before the next. */
export async function idleLatency(context: PhaseContext, orders: number): Promise<Percentiles> {
  const placed: string[] = [];
  for (let index = 0; index < orders; index += 1) {
    const orderId = await context.load.placeOne(context.body(index));
    while (!(await context.databases.isFinal(orderId))) await sleep(2);
    placed.push(orderId);
  }
  return percentiles(await context.databases.finalLatencies(placed));
}
