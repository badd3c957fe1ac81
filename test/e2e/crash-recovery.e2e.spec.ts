import { execFileSync } from "node:child_process";
import path from "node:path";
import { eventually } from "../support/eventually";
import { Cluster } from "./support/cluster";
import { expectSettled, type PlacedOrder } from "../support/settled";
import { placeOrders } from "./support/orders";

const ROOT = path.resolve(__dirname, "../..");
const cluster = new Cluster("crash");

beforeAll(() => cluster.start());
afterAll(() => cluster.stop());

/**
 * Waits until SOME but not ALL of the orders accepted so far have reached `owner`'s table (a
 * payment, a saga): the victim is then provably in the middle of the burst's work.
 */
async function untilPartlyThrough(owner: "payment" | "saga", accepted: PlacedOrder[]) {
  const table = owner === "payment" ? "payments" : "order_sagas";
  return eventually(
    async () => {
      const ids = accepted.map((order) => order.orderId);
      const [row] = await cluster.query<{ n: number }>(
        owner,
        `SELECT count(*)::int AS n FROM ${table} WHERE order_id = ANY($1::uuid[])`,
        [ids],
      );
      expect(row!.n).toBeGreaterThan(0);
      expect(row!.n).toBeLessThan(ids.length);
      return `${row!.n} of ${ids.length} accepted orders had reached ${table}`;
    },
    30_000,
    20,
  );
}

describe("crashes while orders are in flight", () => {
  it("payment process killed with SIGKILL and restarted: every order final, exactly one payment each", async () => {
    const accepted: PlacedOrder[] = [];
    const burst = placeOrders(cluster, 60, { onAccepted: (order) => accepted.push(order) });
    const atKill = await untilPartlyThrough("payment", accepted);
    await cluster.kill("payment");
    console.log(`payment killed when ${atKill}`);
    const orders = await burst;
    await cluster.startNode("payment");

    await expectSettled(cluster, orders);
  });

  it("saga process killed with SIGKILL during a burst and restarted: the same holds", async () => {
    const accepted: PlacedOrder[] = [];
    const burst = placeOrders(cluster, 60, { onAccepted: (order) => accepted.push(order) });
    const atKill = await untilPartlyThrough("saga", accepted);
    await cluster.kill("saga");
    console.log(`saga killed when ${atKill}`);
    const orders = await burst;
    await cluster.startNode("saga");

    await expectSettled(cluster, orders);
  });

  it("Kafka broker stopped and started in the middle of a burst: every accepted order final", async () => {
    // While Kafka is down the gateway cannot reach the services (RPC rides on Kafka too), so some
    // requests are refused; every order that was accepted (201) must still end final.
    const live: PlacedOrder[] = [];
    const burst = placeOrders(cluster, 60, {
      concurrency: 4,
      tolerateFailures: true,
      onAccepted: (order) => live.push(order),
    });
    await eventually(() => expect(live.length).toBeGreaterThan(0), 30_000, 20);
    const acceptedBeforeStop = [...live];
    execFileSync("bash", [path.join(ROOT, "scripts/kafka-stop.sh")], { stdio: "ignore" });
    // Down long enough for every client to exhaust its quick retries.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    execFileSync("bash", [path.join(ROOT, "scripts/kafka-start.sh")], { stdio: "ignore" });
    const accepted = await burst;
    console.log(
      `Kafka stopped after ${acceptedBeforeStop.length} accepted orders; ${accepted.length} accepted, ${accepted.refused} refused in all`,
    );
    expect(acceptedBeforeStop.length).toBeGreaterThan(0);
    expect(accepted).toEqual(expect.arrayContaining(acceptedBeforeStop));
    await cluster.waitUntilReady(120_000);
    const after = await placeOrders(cluster, 10);

    await expectSettled(cluster, [...accepted, ...after], { timeoutMs: 150_000 });
  });
});
