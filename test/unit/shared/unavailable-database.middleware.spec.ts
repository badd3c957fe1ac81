import type { ActionHandler, Context, Service, ServiceBroker } from "moleculer";
import { DatabaseConnectionError } from "../../../services/shared/db/database-faults";
import { createUnavailableDatabaseMiddleware } from "../../../services/shared/runtime/unavailable-database.middleware";
import { toErrorBody } from "../../../services/api/http-errors";

/** The action `next` wrapped by the middleware, called as Moleculer would. */
function wrapped(next: ActionHandler<Service>) {
  const middleware = createUnavailableDatabaseMiddleware();
  const handler = middleware.localAction!.call({} as ServiceBroker, next, { name: "order.create" });
  return handler.call({} as Service, {} as Context);
}

describe("an action whose database is unavailable", () => {
  it("answers a retryable 503 (DATABASE_UNAVAILABLE), which the gateway sends as 503", async () => {
    const error = await wrapped(async () => {
      throw new DatabaseConnectionError(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 503, type: "DATABASE_UNAVAILABLE", retryable: true });
    expect(toErrorBody(error).status).toBe(503);
  });

  it("passes any other error through untouched", async () => {
    const bug = new TypeError("x is undefined");
    await expect(
      wrapped(async () => {
        throw bug;
      }),
    ).rejects.toBe(bug);
  });

  it("passes results through", async () => {
    await expect(wrapped(async () => "ok")).resolves.toBe("ok");
  });
});
