import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { freePort } from "../../scripts/support/free-port";
import { eventually } from "../support/eventually";
import { installed } from "../support/installed";
import { expectSettled } from "../support/settled";
import { Cluster } from "./support/cluster";
import { placeOrders } from "./support/orders";

/**
 * A real Prometheus (Debian's `prometheus` package) scrapes every node of a distributed cluster,
 * with the alert rules an operator deploys. After N orders its query API must say what the
 * databases say: N confirmed or cancelled, nothing left in any outbox, no alert firing.
 */
const ROOT = path.resolve(__dirname, "../..");
const N = 30;
const cluster = new Cluster("prom");
const workDir = path.join(ROOT, ".data/e2e-prometheus");

const hasPrometheus = installed("prometheus");
const withPrometheus = hasPrometheus ? describe : describe.skip;
if (!hasPrometheus)
  console.warn(
    "prometheus not found: the Prometheus scrape test is skipped (apt-get install prometheus)",
  );

withPrometheus("Prometheus scraping every node", () => {
  let prometheus: ChildProcess | undefined;
  let api = "";

  beforeAll(async () => {
    await cluster.start();
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    const targets = [...cluster.nodes].map((node) => node.metricsTarget);
    writeFileSync(
      path.join(workDir, "prometheus.yml"),
      [
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        "rule_files:",
        `  - ${path.join(ROOT, "deploy/prometheus/alerts.yml")}`,
        "scrape_configs:",
        "  - job_name: oms",
        "    static_configs:",
        `      - targets: [${targets.map((target) => `"${target}"`).join(", ")}]`,
        "",
      ].join("\n"),
    );
    const port = await freePort();
    api = `http://127.0.0.1:${port}/api/v1`;
    const log = createWriteStream(path.join(workDir, "prometheus.log"));
    prometheus = spawn(
      "prometheus",
      [
        `--config.file=${path.join(workDir, "prometheus.yml")}`,
        `--storage.tsdb.path=${path.join(workDir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    prometheus.stdout!.pipe(log);
    prometheus.stderr!.pipe(log);
    // Every node scraped and up before the orders start.
    await eventually(async () => {
      const up = await query('sum(up{job="oms"})');
      expect(up).toBe(targets.length);
    }, 60_000);
  });

  afterAll(async () => {
    prometheus?.kill("SIGTERM");
    await cluster.stop();
  });

  /** One number from Prometheus' query API (0 when the expression has no result). */
  async function query(expression: string): Promise<number> {
    const response = await fetch(`${api}/query?query=${encodeURIComponent(expression)}`);
    const body = (await response.json()) as {
      status: string;
      data: { result: Array<{ value: [number, string] }> };
    };
    expect(body.status).toBe("success");
    return Number(body.data.result[0]?.value[1] ?? 0);
  }

  it(`after ${N} orders: confirmed + cancelled = ${N} by the saga's counters, outboxes empty, no alert`, async () => {
    const orders = await placeOrders(cluster, N, { concurrency: 5 });
    await expectSettled(cluster, orders);
    const declined = orders.filter((order) => order.total > 100_000).length;

    await eventually(async () => {
      expect(await query("sum(oms_orders_created_total)")).toBe(N);
      expect(await query("sum(oms_orders_confirmed_total)")).toBe(N - declined);
      expect(await query('sum(oms_orders_cancelled_total{reason="payment_declined"})')).toBe(
        declined,
      );
      expect(await query('sum(oms_payments_total{outcome="completed"})')).toBe(N - declined);
      // Each service's backlog, as the sampled gauge says it: back to 0.
      for (const service of ["order", "payment", "saga"])
        expect({
          service,
          backlog: await query(`max(oms_outbox_backlog{service="${service}"})`),
          sampled: await query(`count(oms_outbox_backlog{service="${service}"})`),
        }).toEqual({ service, backlog: 0, sampled: 1 });
      expect(await query("max(oms:consumer_lag:by_group)")).toBe(0);
      expect(await query('count(oms_saga_duration_seconds_bucket{le="+Inf"})')).toBeGreaterThan(0);
    }, 60_000);
    expect(await query('count(ALERTS{alertstate="firing"})')).toBe(0);
  });
});
