import Ajv2020 from "ajv/dist/2020";
import { OPENAPI } from "../../services/api/openapi";
import { ALIASES } from "../../services/api/routes";
import { http, orderOf, type HttpResult } from "../support/http";
import { expectSettled } from "../support/settled";
import { databasesOf, startTestSystem, type TestSystem } from "../support/test-system";

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
    const orderId = (placed.body as { orderId: string }).orderId;
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
      http(system.baseUrl, method, path.replace("{orderId}", orderId), {
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
    ] as const)
      expectDocumented(method, path, await anonymous(method.toUpperCase(), path));
    expectDocumented("get", "/health/live", await get("/health/live"));
    expectDocumented("get", "/health/ready", await get("/health/ready"));
  });

  it("every status it lists was produced above, but the 503s (they need a service down)", () => {
    const listed = Object.entries(OPENAPI.paths).flatMap(([path, methods]) =>
      Object.entries(methods).flatMap(([method, operation]) =>
        Object.keys((operation as { responses: object }).responses)
          .filter((status) => status !== "503")
          .map((status) => `${method} ${path} ${status}`),
      ),
    );
    expect(listed.filter((answer) => !exercised.has(answer))).toEqual([]);
  });
});
