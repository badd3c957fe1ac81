import type { Ceiling } from "./ceiling";
import type { Cost, PhaseResult } from "./phases";
import { round, type Percentiles } from "./stats";

export interface ModeResult {
  mode: "embedded" | "distributed";
  ceiling: Ceiling;
  phases: PhaseResult[];
  idle: Percentiles;
  /** Completed orders/s of the long burst: the most the system sustains. */
  maxCompletedPerSecond: number;
  ratioToCeiling: number;
  /** Long burst's completed/s over the short burst's: 1.0 means no cost grows with the backlog. */
  backlogLinearity: number;
  cost: Cost;
  problems: string[];
}

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const triple = (p: Percentiles) => `${fixed(p.p50)} / ${fixed(p.p95)} / ${fixed(p.p99)}`;

/** The table `npm run bench` prints (Markdown, so the README can show it as it is). */
export function renderTable(results: readonly ModeResult[]): string {
  const lines = [
    "| mode | phase | offered/s | accepted/s | completed/s | × ceiling | POST ms p50/p95/p99 | created→final ms p50/p95/p99 |",
    "|---|---|---:|---:|---:|---:|---|---|",
  ];
  for (const result of results) {
    for (const phase of result.phases) {
      lines.push(
        `| ${result.mode} | ${phase.name} | ${phase.offeredPerSecond === null ? "max" : fixed(phase.offeredPerSecond)} | ` +
          `${fixed(phase.acceptedPerSecond)} | ${fixed(phase.completedPerSecond)} | ` +
          `${fixed(phase.completedPerSecond / result.ceiling.ordersPerSecond, 2)} | ${triple(phase.post)} | ${triple(phase.final)} |`,
      );
    }
    lines.push(
      `| ${result.mode} | idle, one at a time | – | – | – | – | – | ${triple(result.idle)} |`,
    );
  }
  lines.push(
    "",
    "| mode | pgbench ceiling orders/s | max completed/s | × ceiling | long vs 1k burst | commits/order | Kafka records/order | CPU ms/order |",
  );
  lines.push("|---|---:|---:|---:|---:|---:|---|---|");
  for (const result of results) {
    const { cost } = result;
    const records = cost.kafkaRecordsPerOrder
      ? Object.entries(cost.kafkaRecordsPerOrder)
          .map(([kind, value]) => `${kind} ${fixed(value, 1)}`)
          .join(", ")
      : "–";
    const cpu = Object.entries(cost.cpuMsPerOrder)
      .map(([process, ms]) => `${process} ${fixed(ms, 2)}`)
      .join(", ");
    lines.push(
      `| ${result.mode} | ${fixed(result.ceiling.ordersPerSecond)} | ${fixed(result.maxCompletedPerSecond)} | ` +
        `${fixed(result.ratioToCeiling, 2)} | ${fixed(result.backlogLinearity, 2)} | ${fixed(cost.commitsPerOrder, 2)} | ` +
        `${records} | **${fixed(cost.systemCpuMsPerOrder, 2)}** (${cpu}) |`,
    );
  }
  return lines.join("\n");
}

/** Latency against throughput of the open-loop phases, both modes on one chart (SVG). */
export function renderChart(results: readonly ModeResult[]): string {
  const width = 720;
  const height = 420;
  const margin = { left: 70, right: 150, top: 40, bottom: 50 };
  const series = results.map((result) => ({
    mode: result.mode,
    points: result.phases
      .filter((phase) => phase.offeredPerSecond !== null)
      .map((phase) => ({
        x: phase.completedPerSecond,
        p50: phase.final.p50,
        p99: phase.final.p99,
      })),
  }));
  const all = series.flatMap((line) => line.points);
  const maxX = Math.max(1, ...all.map((point) => point.x)) * 1.1;
  const maxY = Math.max(1, ...all.map((point) => point.p99)) * 1.1;
  const x = (value: number) => margin.left + (value / maxX) * (width - margin.left - margin.right);
  const y = (value: number) =>
    height - margin.bottom - (value / maxY) * (height - margin.top - margin.bottom);
  const colours = { embedded: "#1f77b4", distributed: "#d62728" } as const;
  const paths = series.flatMap((line) =>
    (["p50", "p99"] as const).map((key) => {
      const d = line.points.map(
        (point, index) => `${index === 0 ? "M" : "L"}${round(x(point.x))},${round(y(point[key]))}`,
      );
      const dots = line.points.map(
        (point) =>
          `<circle cx="${round(x(point.x))}" cy="${round(y(point[key]))}" r="3" fill="${colours[line.mode]}"/>`,
      );
      const dash = key === "p50" ? ' stroke-dasharray="5,4"' : "";
      return `<path d="${d.join(" ")}" fill="none" stroke="${colours[line.mode]}" stroke-width="2"${dash}/>${dots.join("")}`;
    }),
  );
  const ticks = (max: number) => Array.from({ length: 6 }, (_, index) => (max / 5) * index);
  const xTicks = ticks(maxX).map(
    (value) =>
      `<text x="${round(x(value))}" y="${height - margin.bottom + 18}" text-anchor="middle">${fixed(value)}</text>`,
  );
  const yTicks = ticks(maxY).map(
    (value) =>
      `<text x="${margin.left - 8}" y="${round(y(value)) + 4}" text-anchor="end">${fixed(value)}</text>`,
  );
  const legend = series.flatMap((line, index) => [
    `<text x="${width - margin.right + 15}" y="${margin.top + 20 + index * 40}" fill="${colours[line.mode]}">${line.mode}</text>`,
    `<text x="${width - margin.right + 15}" y="${margin.top + 36 + index * 40}" font-size="11">solid p99, dashed p50</text>`,
  ]);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${margin.left}" y="22" font-size="14">created → final latency (ms) against completed orders/s, open loop</text>`,
    `<line x1="${margin.left}" y1="${height - margin.bottom}" x2="${width - margin.right}" y2="${height - margin.bottom}" stroke="black"/>`,
    `<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${height - margin.bottom}" stroke="black"/>`,
    ...xTicks,
    ...yTicks,
    `<text x="${(width - margin.right + margin.left) / 2}" y="${height - 10}" text-anchor="middle">completed orders/s</text>`,
    ...paths,
    ...legend,
    "</svg>",
  ].join("\n");
}
