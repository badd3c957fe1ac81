import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { freePort } from "../../scripts/support/free-port";
import { eventually } from "../support/eventually";
import { DECLINE_ABOVE, expectSettled } from "../support/settled";
import {
  CONFIRMED_ORDER_HOPS,
  DECLINED_ORDER_HOPS,
  hasSpan,
  hopsTo,
  movesTheOrder,
  type ZipkinSpan,
} from "../support/traces";
import { Cluster } from "./support/cluster";
import { placeOrders } from "./support/orders";

/**
 * One order is one trace across processes and Kafka: a real Zipkin server (Zipkin's own jar,
 * fetched by `bash scripts/zipkin.sh --fetch`) receives the spans of a four-node cluster, and
 * its query API, searched by the order's id as an operator would, returns one trace that runs
 * from the gateway's POST through every service and back, on four different nodes.
 */
const ROOT = path.resolve(__dirname, "../..");
const ZIPKIN_DIR = path.join(ROOT, ".cache/zipkin");
const N = 5;
const cluster = new Cluster("zipkin");
const workDir = path.join(ROOT, ".data/e2e-zipkin");

const jar = existsSync(ZIPKIN_DIR)
  ? readdirSync(ZIPKIN_DIR).find((file) => /^zipkin-server-.*-exec\.jar$/.test(file))
  : undefined;
const withZipkin = jar ? describe : describe.skip;
if (!jar)
  console.warn(
    "the Zipkin jar is not in .cache/zipkin: the tracing e2e test is skipped (bash scripts/zipkin.sh --fetch)",
  );

withZipkin("one trace per order in Zipkin, across Kafka and four nodes", () => {
  let zipkin: ChildProcess | undefined;
  let api = "";

  beforeAll(async () => {
    mkdirSync(workDir, { recursive: true });
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    const log = createWriteStream(path.join(workDir, "zipkin.log"));
    zipkin = spawn(
      "java",
      [
        "-Xmx384m",
        "-jar",
        path.join(ZIPKIN_DIR, jar!),
        `--server.port=${port}`,
        "--server.address=127.0.0.1",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    zipkin.stdout!.pipe(log);
    zipkin.stderr!.pipe(log);
    await eventually(
      async () => {
        const health = await fetch(`${api}/health`);
        expect(health.status).toBe(200);
      },
      90_000,
      500,
    );
    cluster.env.TRACING_ZIPKIN_URL = api;
    cluster.env.TRACING_TRACES_PER_SECOND = "0"; // every trace, not at most 10 a second
    await cluster.start();
  });

  afterAll(async () => {
    await cluster.stop();
    zipkin?.kill("SIGTERM");
  });

  /** The traces Zipkin finds by a tag, as its UI's search does. */
  async function tracesTagged(tag: string, value: string): Promise<ZipkinSpan[][]> {
    const query = new URLSearchParams({
      annotationQuery: `${tag}=${value}`,
      lookback: String(60 * 60 * 1000),
      limit: "10",
    });
    const response = await fetch(`${api}/api/v2/traces?${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as ZipkinSpan[][];
  }

  it(`each of ${N} orders is one trace, POST /orders → order → saga → payment → saga → order`, async () => {
    const orders = await placeOrders(cluster, N, { concurrency: N });
    await expectSettled(cluster, orders);

    for (const order of orders) {
      const hops = order.total > DECLINE_ABOVE ? DECLINED_ORDER_HOPS : CONFIRMED_ORDER_HOPS;
      const lastHop = hops.at(-1)!;
      const trace = await eventually(
        async () => {
          // The reads of the order (a client polling it) are traces of their own.
          const traces = (await tracesTagged("orderId", order.orderId)).filter((trace) =>
            trace.some(movesTheOrder),
          );
          expect(traces).toHaveLength(1);
          expect(hasSpan(traces[0]!, lastHop)).toBe(true);
          // Each node exports every second: wait until every span of the path has arrived.
          expect(hopsTo(traces[0]!, lastHop, hops)).toEqual(hops);
          return traces[0]!;
        },
        30_000,
        500,
      );

      // The trace crossed processes: each service's spans come from its own node.
      const nodes = new Set(trace.map((span) => span.tags?.nodeID));
      expect(nodes.size).toBe(4);
    }
  });
});
