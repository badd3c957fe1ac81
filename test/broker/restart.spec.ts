import { orderMigrations } from "../../services/order/infrastructure/migrations";
import type { ContextService } from "../../services/shared/runtime/context";
import { eventually } from "../support/eventually";
import { http, orderOf } from "../support/http";
import {
  chargesFor,
  OWNERS,
  paymentsOf,
  sagaStateOf,
  unsentOutbox,
} from "../support/oms-databases";
import { databasesOf, query, startTestSystem, type TestSystem } from "../support/test-system";

const NAME = "restart";
let system: TestSystem | undefined;

afterAll(() => system?.stop());

const db = databasesOf(NAME);

describe("a restart in the middle of the flow", () => {
  it("loses and duplicates nothing: the order still ends CONFIRMED, charged once", async () => {
    system = await startTestSystem(NAME, { fresh: true });
    // Hold the flow mid-way: the payment service stops consuming, as if it had crashed.
    await (system.broker.getLocalService("payment") as unknown as ContextService).messaging.stop();

    const created = await http(system.baseUrl, "POST", "/orders", {
      json: orderOf("p1", 2, 499.5),
    });
    expect(created.status).toBe(201);
    const orderId = created.body.orderId as string;

    // Observable mid-flow state: saga waiting for payment, its InitiatePayment still in the outbox.
    await eventually(async () => {
      expect(await sagaStateOf(db, orderId)).toBe("PAYMENT_INITIATED");
    });
    expect(await unsentOutbox(db, "saga", orderId)).toBe(1);
    expect(await paymentsOf(db, [orderId])).toEqual([]);

    await system.stop();
    system = await startTestSystem(NAME);

    await eventually(async () => {
      const order = await http(system!.baseUrl, "GET", `/orders/${orderId}`);
      expect(order.body.status).toBe("CONFIRMED");
      const saga = await http(system!.baseUrl, "GET", `/orders/${orderId}/saga`);
      expect(saga.body.state).toBe("ORDER_CONFIRMED");
    });
    expect(await chargesFor(db, orderId)).toBe(1);
    const list = await http<{ rows: unknown[] }>(system.baseUrl, "GET", "/orders");
    expect(list.body.rows).toHaveLength(1);
    for (const owner of OWNERS) {
      await eventually(async () => expect(await unsentOutbox(db, owner)).toBe(0));
    }
  });

  it("keeps the data of earlier runs: migrations run once, and the restarted system reads the old order", async () => {
    const [migrations] = await query(
      NAME,
      "order",
      "SELECT count(*)::int AS n FROM schema_migrations",
    );
    expect(migrations!.n).toBe(orderMigrations.length);
    const list = await http<{ rows: unknown[] }>(system!.baseUrl, "GET", "/orders");
    expect(list.body.rows).toHaveLength(1);
  });
});
