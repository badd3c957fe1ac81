import Ajv2020 from "ajv/dist/2020";
import { OPENAPI } from "../../services/api/openapi";
import { ALIASES } from "../../services/api/routes";
import { Topics } from "../../contracts";
import { tokenFor } from "../support/auth";
import { eventually } from "../support/eventually";
import { http, orderOf, type HttpResult } from "../support/http";
import { expectSettled } from "../support/settled";
import { busOf, databasesOf, startTestSystem, type TestSystem } from "../support/test-system";

/**
 * The OpenAPI document and the gateway, held together: every route the gateway serves is
 * documented (and nothing it does not serve), and every answer it gives, for every route and
 * status the document lists, matches the documented schema. Only the 503s, which need a service
 * down, are not produced here.
 */
jest.setTimeout(30_000);

const NAME = "openapi";
let system: TestSystem;

beforeAll(async () => {
  // The provider answers after 0.5 s: an order placed here is still pending when it is cancelled.
  system = await startTestSystem(NAME, {
    fresh: true,
    env: { PAYMENT_PROVIDER_LATENCY_MS: "500" },
  });
});
afterAll(() => system.stop());

const DOCUMENT = "https://oms.example/openapi.json";
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema({ $id: DOCUMENT, ...JSON.parse(JSON.stringify(OPENAPI)) });

/** `POST /orders/{orderId}` for the route `"POST /orders/:orderId"`. */
const documented = (route: string) => route.replace(/:(\w+)/g, "{$1}");
const pointer = (...parts: string[]) =>
  parts.map((part) => part.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

const exercised = new Set<string>();

/** A documented path with its parameters filled in (an order that exists, a dead letter). */
let orderId = "";
const concrete = (path: string) =>
  path.replace("{orderId}", orderId).replace("{service}", "saga").replace("{id}", "1");

/** Checks one answer against the document: its status is listed, its body has the schema. */
function expectDocumented(
  method: string,
  path: string,
  response: HttpResult<unknown>,
  type = "application/json",
) {
  const operation = (
    OPENAPI.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>
  )[path]?.[method];
  expect({ route: `${method} ${path}`, documented: operation !== undefined }).toEqual({
    route: `${method} ${path}`,
    documented: true,
  });
  const status = String(response.status);
  expect({ route: `${method} ${path}`, status, listed: status in operation!.responses }).toEqual({
    route: `${method} ${path}`,
    status,
    listed: true,
  });
  exercised.add(`${method} ${path} ${status}`);
  if (type !== "application/json") return;
  const validate = ajv.compile({
    $ref: `${DOCUMENT}#/${pointer("paths", path, method, "responses", status, "content", type, "schema")}`,
  });
  const valid = validate(response.body);
  expect({ route: `${method} ${path} ${status}`, errors: valid ? null : validate.errors }).toEqual({
    route: `${method} ${path} ${status}`,
    errors: null,
  });
}

describe("the OpenAPI document", () => {
  it("documents every route the gateway serves, and nothing else", () => {
    const routes = Object.keys(ALIASES).map((route) => {
      const [method, path] = route.split(" ") as [string, string];
      return `${method.toLowerCase()} ${documented(path)}`;
    });
    const operations = Object.entries(OPENAPI.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );
    expect(operations.sort()).toEqual(routes.sort());
  });

  it("is served at /openapi.json, and as a page at /docs; the topics at /asyncapi.json", async () => {
    const served = await http(system.baseUrl, "GET", "/openapi.json");
    expectDocumented("get", "/openapi.json", served);
    expect(served.body).toEqual(JSON.parse(JSON.stringify(OPENAPI)));
    const topics = await http(system.baseUrl, "GET", "/asyncapi.json");
    expectDocumented("get", "/asyncapi.json", topics);
    expect(topics.body).toMatchObject({ asyncapi: "3.0.0" });
    const page = await fetch(`${system.baseUrl}/docs`);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    for (const path of Object.keys(OPENAPI.paths)) expect(html).toContain(path);
    exercised.add(`get /docs ${page.status}`);
  });

  it("describes what the API answers, route by route and status by status", async () => {
    const unknown = "7d2c8a57-5f3e-4c1a-9a59-5d1f2f0e9b11";
    const placed = await http(system.baseUrl, "POST", "/orders", {
      json: orderOf("p1", 2, 499.5),
      headers: { "idempotency-key": "openapi-1" },
    });
    expectDocumented("post", "/orders", placed);
    orderId = (placed.body as { orderId: string }).orderId;
    await expectSettled(databasesOf(NAME), [{ orderId, total: 999 }]);

    const post = (init: Parameters<typeof http>[3]) =>
      http(system.baseUrl, "POST", "/orders", init);
    expectDocumented("post", "/orders", await post({ json: { items: [] } }));
    expectDocumented(
      "post",
      "/orders",
      await post({ json: orderOf("p2", 1, 1), headers: { "idempotency-key": "openapi-1" } }),
    );
    expectDocumented(
      "post",
      "/orders",
      await post({
        json: { items: [{ productId: "x".repeat(2_000_000), quantity: 1, price: 1 }] },
      }),
    );
    expectDocumented(
      "post",
      "/orders",
      await post({ body: "{}", headers: { "content-type": "text/plain" } }),
    );

    const get = (path: string) => http(system.baseUrl, "GET", path);
    expectDocumented("get", "/orders", await get("/orders?pageSize=1"));
    expectDocumented("get", "/orders", await get("/orders?status=SHIPPED"));
    for (const path of [
      "/orders/{orderId}",
      "/orders/{orderId}/saga",
      "/orders/{orderId}/payment",
    ]) {
      expectDocumented("get", path, await get(path.replace("{orderId}", orderId)));
      expectDocumented("get", path, await get(path.replace("{orderId}", unknown)));
      expectDocumented("get", path, await get(path.replace("{orderId}", "not-a-uuid")));
    }
    const cancel = (id: string, json?: object) =>
      http(system.baseUrl, "POST", `/orders/${id}/cancel`, json ? { json } : {});
    const path = "/orders/{orderId}/cancel";
    const pending = await post({ json: orderOf("p3", 1, 1) });
    const pendingId = (pending.body as { orderId: string }).orderId;
    expectDocumented("post", path, await cancel(pendingId, { reason: "changed my mind" }));
    expectDocumented("post", path, await cancel(pendingId));
    expectDocumented("post", path, await cancel(unknown));
    expectDocumented("post", path, await cancel("not-a-uuid"));
    // Without a token, every route that needs one.
    const anonymous = (method: string, path: string) =>
      http(system.baseUrl, method, concrete(path), {
        json: method === "POST" ? orderOf("p1", 1, 1) : undefined,
        token: null,
      });
    for (const [method, path] of [
      ["post", "/orders"],
      ["get", "/orders"],
      ["get", "/orders/{orderId}"],
      ["get", "/orders/{orderId}/saga"],
      ["get", "/orders/{orderId}/payment"],
      ["post", "/orders/{orderId}/cancel"],
      ["get", "/admin/dead-letters"],
      ["post", "/admin/dead-letters/{service}/replay"],
      ["post", "/admin/dead-letters/{service}/{id}/replay"],
      ["post", "/admin/dead-letters/{service}/{id}/resolve"],
    ] as const)
      expectDocumented(method, path, await anonymous(method.toUpperCase(), path));
    expectDocumented("get", "/health/live", await get("/health/live"));
    expectDocumented("get", "/health/ready", await get("/health/ready"));
  });

  it("describes the admin routes, for an admin and for a customer", async () => {
    const admin = await tokenFor("openapi-admin", true);
    const as = (token: string | undefined, method: string, path: string, json?: object) =>
      http(system.baseUrl, method, path, { ...(token && { token }), ...(json && { json }) });
    const asAdmin = (method: string, path: string, json?: object) => as(admin, method, path, json);
    const asCustomer = (method: string, path: string, json?: object) =>
      as(undefined, method, path, json);

    // A record the saga cannot read becomes its dead letter.
    await busOf(system).publish([
      { topic: Topics.orderCreated, key: "openapi", value: Buffer.from("not json"), headers: {} },
    ]);
    const list = "/admin/dead-letters";
    const listed = await eventually(async () => {
      const answer = await asAdmin("GET", `${list}?service=saga`);
      expect((answer.body as { rows: unknown[] }).rows).toHaveLength(1);
      return answer;
    });
    const id = (listed.body as { rows: Array<{ id: number }> }).rows[0]!.id;
    expectDocumented("get", list, listed);
    expectDocumented("get", list, await asAdmin("GET", `${list}?state=lost`));
    expectDocumented("get", list, await asCustomer("GET", list));

    const topic = "/admin/dead-letters/{service}/replay";
    expectDocumented(
      "post",
      topic,
      await asAdmin("POST", "/admin/dead-letters/saga/replay", {
        topic: Topics.orderCreated,
      }),
    );
    expectDocumented("post", topic, await asAdmin("POST", "/admin/dead-letters/saga/replay", {}));
    expectDocumented(
      "post",
      topic,
      await asCustomer("POST", "/admin/dead-letters/saga/replay", {
        topic: Topics.orderCreated,
      }),
    );

    const one = (action: string, service = "saga", which: number | string = id) =>
      `/admin/dead-letters/${service}/${which}/${action}`;
    for (const action of ["replay", "resolve"]) {
      const path = `/admin/dead-letters/{service}/{id}/${action}`;
      expectDocumented("post", path, await asAdmin("POST", one(action)));
      expectDocumented("post", path, await asAdmin("POST", one(action, "saga", 999_999)));
      expectDocumented("post", path, await asAdmin("POST", one(action, "billing")));
      expectDocumented("post", path, await asCustomer("POST", one(action)));
    }
    // Resolved above: a replay now is refused.
    expectDocumented(
      "post",
      "/admin/dead-letters/{service}/{id}/replay",
      await asAdmin("POST", one("replay")),
    );
  });

  // The 503s need a service down; the 429s a rate limit, which this system runs without
  // (rate-limit.spec.ts checks their shape).
  it("every status it lists was produced above, but the 503s and the 429s", () => {
    const listed = Object.entries(OPENAPI.paths).flatMap(([path, methods]) =>
      Object.entries(methods).flatMap(([method, operation]) =>
        Object.keys((operation as { responses: object }).responses)
          .filter((status) => status !== "503" && status !== "429")
          .map((status) => `${method} ${path} ${status}`),
      ),
    );
    expect(listed.filter((answer) => !exercised.has(answer))).toEqual([]);
  });
});
