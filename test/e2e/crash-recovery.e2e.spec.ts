import { execFileSync } from "node:child_process";
import path from "node:path";
import { Cluster } from "./support/cluster";
import { expectAllFinalAsTheirAmountSays, expectConsistent, placeOrders } from "./support/orders";

const ROOT = path.resolve(__dirname, "../..");
const cluster = new Cluster("crash");

beforeAll(() => cluster.start());
afterAll(() => cluster.stop());

describe("crashes while orders are in flight", () => {
  it("payment process killed with SIGKILL and restarted: every order final, exactly one payment each", async () => {
    const burst = placeOrders(cluster, 60);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await cluster.kill("payment");
    const orders = await burst;
    await cluster.startNode("payment");

    await expectAllFinalAsTheirAmountSays(cluster, orders);
    await expectConsistent(cluster, orders);
  });

  it("saga process killed with SIGKILL during a burst and restarted: the same holds", async () => {
    const burst = placeOrders(cluster, 60);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await cluster.kill("saga");
    const orders = await burst;
    await cluster.startNode("saga");

    await expectAllFinalAsTheirAmountSays(cluster, orders);
    await expectConsistent(cluster, orders);
  });

  it("Kafka broker stopped and started in the middle of a burst: every accepted order final", async () => {
    // While Kafka is down the gateway cannot reach the services (RPC rides on Kafka too), so some
    // requests are refused; every order that was accepted (201) must still end final.
    const burst = placeOrders(cluster, 60, { concurrency: 4, tolerateFailures: true });
    await new Promise((resolve) => setTimeout(resolve, 500));
    execFileSync("bash", [path.join(ROOT, "scripts/kafka-stop.sh")], { stdio: "ignore" });
    // Down long enough for every client to exhaust its quick retries.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    execFileSync("bash", [path.join(ROOT, "scripts/kafka-start.sh")], { stdio: "ignore" });
    const accepted = await burst;
    await cluster.waitUntilReady(120_000);
    const after = await placeOrders(cluster, 10);
    expect(accepted.length).toBeGreaterThan(0);

    await expectAllFinalAsTheirAmountSays(cluster, [...accepted, ...after], 150_000);
    await expectConsistent(cluster, [...accepted, ...after]);
  });
});
