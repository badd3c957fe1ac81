import { request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { signToken } from "../../services/api/auth";
import { TEST_AUTH_SECRET, TEST_CLAIMS } from "../support/auth";
import { eventually } from "../support/eventually";
import { http, orderOf } from "../support/http";
import { startTestSystem, type TestSystem } from "../support/test-system";

let system: TestSystem;

beforeAll(async () => {
  // Bound to loopback, as HTTP_HOST asks (the default, 0.0.0.0, is every interface).
  system = await startTestSystem("gateway", { fresh: true, env: { HTTP_HOST: "127.0.0.1" } });
});
afterAll(() => system.stop());

const post = (body: string, contentType = "application/json") =>
  http(system.baseUrl, "POST", "/orders", {
    body,
    headers: contentType ? { "content-type": contentType } : {},
  });

/** Every error leaves the gateway in one shape, with no stack trace or database message in it. */
function expectErrorShape(body: Record<string, unknown>, status: number) {
  expect(body).toEqual({
    status,
    message: expect.any(String),
    timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    ...(body.errors !== undefined && { errors: expect.any(Object) }),
  });
  expect(JSON.stringify(body)).not.toMatch(/at \w+ \(|Sequelize|SQL|node_modules/);
}

describe("validation failures are 400 with errors keyed by field path", () => {
  it.each([
    ["no items", { items: [] }, "items"],
    ["missing items", {}, "items"],
    ["quantity 0", orderOf("p1", 0, 10), "items[0].quantity"],
    ["fractional quantity", orderOf("p1", 1.5, 10), "items[0].quantity"],
    ["negative price", orderOf("p1", 1, -5), "items[0].price"],
    ["zero price", orderOf("p1", 1, 0), "items[0].price"],
    [
      "non-numeric price",
      { items: [{ productId: "p1", quantity: 1, price: "ten" }] },
      "items[0].price",
    ],
    ["price with 3 decimals", orderOf("p1", 1, 1.005), "items[0].price"],
    ["missing productId", { items: [{ quantity: 1, price: 10 }] }, "items[0].productId"],
    ["blank productId", orderOf("   ", 1, 10), "items[0].productId"],
    [
      "error in a later item",
      { items: [orderOf("p1", 1, 1).items[0], { productId: "p2", quantity: -1, price: 1 }] },
      "items[1].quantity",
    ],
    ["unknown top-level field", { ...orderOf("p1", 1, 10), discount: 5 }, "discount"],
    [
      "unknown item field",
      { items: [{ productId: "p1", quantity: 1, price: 10, colour: "red" }] },
      "items[0].colour",
    ],
  ])("%s", async (_case, body, field) => {
    const response = await post(JSON.stringify(body));
    expect(response.status).toBe(400);
    expect(response.body.message).toBe("Validation failed");
    expect(Object.keys(response.body.errors as object)).toContain(field);
    expectErrorShape(response.body, 400);
  });
});

describe("malformed requests are the right 4xx in the same shape", () => {
  it.each([
    ["a body that is not JSON", () => post('{"items": ['), 400],
    ["a JSON array instead of an object", () => post("[1, 2]"), 400],
    ["text/plain content", () => post(JSON.stringify(orderOf("p1", 1, 10)), "text/plain"), 415],
    ["no content type", () => post(JSON.stringify(orderOf("p1", 1, 10)), ""), 415],
    [
      "a 2 MB body",
      () =>
        post(
          JSON.stringify({
            items: [{ productId: "x".repeat(2 * 1024 * 1024), quantity: 1, price: 1 }],
          }),
        ),
      413,
    ],
    [
      "an unknown order id",
      () => http(system.baseUrl, "GET", "/orders/7d2c8a57-5f3e-4c1a-9a59-5d1f2f0e9b11"),
      404,
    ],
    [
      "an order id that is not a uuid",
      () => http(system.baseUrl, "GET", "/orders/not-a-uuid"),
      400,
    ],
    [
      "the saga of an unknown order",
      () => http(system.baseUrl, "GET", "/orders/7d2c8a57-5f3e-4c1a-9a59-5d1f2f0e9b11/saga"),
      404,
    ],
    [
      "the payment of an unknown order",
      () => http(system.baseUrl, "GET", "/orders/7d2c8a57-5f3e-4c1a-9a59-5d1f2f0e9b11/payment"),
      404,
    ],
    ["an unknown route", () => http(system.baseUrl, "GET", "/nothing-here"), 404],
    ["an unknown status filter", () => http(system.baseUrl, "GET", "/orders?status=SHIPPED"), 400],
    ["an oversized page", () => http(system.baseUrl, "GET", "/orders?pageSize=1000"), 400],
    [
      "an offset page (paging is by cursor)",
      () => http(system.baseUrl, "GET", "/orders?page=2"),
      400,
    ],
    ["page=1e300", () => http(system.baseUrl, "GET", "/orders?page=1e300"), 400],
    [
      "a cursor this API did not write",
      () => http(system.baseUrl, "GET", "/orders?cursor=bm9wZQ"),
      400,
    ],
    [
      "an Idempotency-Key that is too long",
      () =>
        http(system.baseUrl, "POST", "/orders", {
          json: orderOf("p1", 1, 1),
          headers: { "idempotency-key": "k".repeat(256) },
        }),
      400,
    ],
  ])("%s", async (_case, send, status) => {
    const response = await send();
    expect(response.status).toBe(status);
    expectErrorShape(response.body, status);
  });

  it("leaves the service healthy and taking orders afterwards", async () => {
    const ready = await http(system.baseUrl, "GET", "/health/ready");
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe("UP");
    const created = await post(JSON.stringify(orderOf("p1", 1, 10)));
    expect(created.status).toBe(201);
  });
});

/** A body nested `depth` levels deep: `[[[…]]]` or `{"a":{"a":…}}`. */
const nested = (depth: number, open: string, close: string) =>
  `${open.repeat(depth)}${close.repeat(depth)}`;
const validItems = JSON.stringify(orderOf("p1", 1, 10).items);

describe("hostile input found by fuzzing is a 4xx in the error shape, never a 500", () => {
  it.each([
    [
      "a NUL character in productId",
      `{"items":[{"productId":"a\\u0000b","quantity":1,"price":1}]}`,
      "items[0].productId",
    ],
    [
      "a lone surrogate in productId",
      `{"items":[{"productId":"\\ud800","quantity":1,"price":1}]}`,
      "items[0].productId",
    ],
    ["a NUL character in a key", `{"items":${validItems},"a\\u0000":1}`, "body"],
    ["arrays nested 5,000 deep", `{"items":${nested(5_000, "[", "]")}}`, "body"],
    [
      "objects nested 5,000 deep in an unknown field",
      `{"items":${validItems},"x":${nested(5_000, '{"a":', "}").replace(/\{"a":\}/, "{}")}}`,
      "body",
    ],
    ["a key given twice", `{"items":${validItems},"items":${validItems}}`, "body"],
    [
      "a number JSON cannot hold",
      `{"items":[{"productId":"p","quantity":1,"price":1e400}]}`,
      "items[0].price",
    ],
    ["a top-level constructor field", `{"items":${validItems},"constructor":1}`, "constructor"],
  ])("%s → 400 naming the field", async (_case, body, field) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expectErrorShape(response.body, 400);
    expect(Object.keys(response.body.errors as object)).toEqual([field]);
  });

  it("invalid UTF-8 is refused, not silently replaced", async () => {
    const body = Buffer.concat([
      Buffer.from('{"items":[{"productId":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('","quantity":1,"price":1}]}'),
    ]);
    const response = await http(system.baseUrl, "POST", "/orders", {
      body,
      headers: { "content-type": "application/json" },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual({ body: "is not valid UTF-8" });
  });

  it.each(["gzip", "deflate", "br", "zstd"])(
    "Content-Encoding: %s on a body that is not compressed → 400",
    async (encoding) => {
      const response = await http(system.baseUrl, "POST", "/orders", {
        body: JSON.stringify(orderOf("p1", 1, 10)),
        headers: { "content-type": "application/json", "content-encoding": encoding },
      });
      expect(response.status).toBe(400);
      expectErrorShape(response.body, 400);
    },
  );

  it("a gzip body that really is gzip is read", async () => {
    const response = await http(system.baseUrl, "POST", "/orders", {
      body: gzipSync(JSON.stringify(orderOf("p1", 1, 10))),
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
    });
    expect(response.status).toBe(201);
  });

  it("application/vnd.api+json, which would not be parsed, is a 415", async () => {
    const response = await post(JSON.stringify(orderOf("p1", 1, 10)), "application/vnd.api+json");
    expect(response.status).toBe(415);
    expectErrorShape(response.body, 415);
  });
});

describe("authentication", () => {
  const claims = TEST_CLAIMS;

  it.each<[string, () => Promise<string | null>]>([
    ["no token", async () => null],
    ["a token that is not a JWT", async () => "not.a.token"],
    [
      "an expired token",
      () =>
        signToken(claims, TEST_AUTH_SECRET, "late", {
          expiresIn: Math.floor(Date.now() / 1000) - 60,
        }),
    ],
    [
      "a token signed with another key",
      () => signToken(claims, "another-secret-that-is-32-bytes-long!", "mallory"),
    ],
    [
      "a token for another audience",
      () => signToken({ ...claims, audience: "someone-else" }, TEST_AUTH_SECRET, "alice"),
    ],
    [
      "a token from another issuer",
      () => signToken({ ...claims, issuer: "elsewhere" }, TEST_AUTH_SECRET, "alice"),
    ],
  ])(
    "%s: POST /orders is a 401 in the error shape, with WWW-Authenticate",
    async (_case, token) => {
      const response = await http(system.baseUrl, "POST", "/orders", {
        json: orderOf("p1", 1, 10),
        token: await token(),
      });
      expect(response.status).toBe(401);
      expectErrorShape(response.body, 401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="oms"');
      expect(Object.keys(response.body.errors as object)).toEqual(["authorization"]);
    },
  );

  it("every order route needs a token; health and the API's description do not", async () => {
    const orderId = "7d2c8a57-5f3e-4c1a-9a59-5d1f2f0e9b11";
    for (const path of [
      "/orders",
      `/orders/${orderId}`,
      `/orders/${orderId}/saga`,
      `/orders/${orderId}/payment`,
    ])
      expect((await http(system.baseUrl, "GET", path, { token: null })).status).toBe(401);
    for (const path of ["/health/live", "/health/ready", "/openapi.json", "/asyncapi.json"])
      expect((await http(system.baseUrl, "GET", path, { token: null })).status).toBe(200);
  });

  it("refuses to start outside the embedded default without a key", async () => {
    await expect(
      startTestSystem("gateway_nokey", { services: ["api"], env: { AUTH_JWT_SECRET: "" } }),
    ).rejects.toThrow(/AUTH_JWT_SECRET .* or AUTH_JWKS/);
  });

  it("does not start with a JWKS file it cannot read", async () => {
    await expect(
      startTestSystem("gateway_badjwks", {
        services: ["api"],
        env: { AUTH_JWT_SECRET: "", AUTH_JWKS: "/nonexistent/jwks.json" },
      }),
    ).rejects.toThrow(/jwks\.json/);
  });

  it("refuses a secret shorter than 32 bytes", async () => {
    await expect(
      startTestSystem("gateway_shortkey", { services: ["api"], env: { AUTH_JWT_SECRET: "short" } }),
    ).rejects.toThrow(/at least 32 bytes/);
  });
});

describe("methods", () => {
  it("OPTIONS is a 204 naming the methods the path serves", async () => {
    const response = await fetch(`${system.baseUrl}/orders`, { method: "OPTIONS" });
    expect(response.status).toBe(204);
    expect(response.headers.get("allow")).toBe("GET, HEAD, OPTIONS, POST");
    expect(await response.text()).toBe("");
  });

  it("HEAD is GET without a body", async () => {
    const response = await fetch(`${system.baseUrl}/health/live`, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/json/);
    expect(await response.text()).toBe("");
  });

  it.each(["DELETE", "PUT", "PATCH", "PROPFIND"])(
    "%s on /orders is a 405 with Allow, in the error shape",
    async (method) => {
      const response = await http(system.baseUrl, method, "/orders");
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("GET, HEAD, OPTIONS, POST");
      expectErrorShape(response.body, 405);
    },
  );

  it("a method on a path no route has is still a 404", async () => {
    const response = await http(system.baseUrl, "DELETE", "/nothing-here");
    expect(response.status).toBe(404);
  });

  it.each([
    ["a 201", () => post(JSON.stringify(orderOf("p1", 1, 10)))],
    ["a 400", () => post("{")],
    ["a 404", () => http(system.baseUrl, "GET", "/nothing-here")],
    ["a 405", () => http(system.baseUrl, "DELETE", "/orders")],
    ["a 200", () => http(system.baseUrl, "GET", "/health/live")],
  ])("%s carries the security headers and names no server", async (_case, send) => {
    const { headers } = await send();
    expect(headers.get("x-content-type-options")).toBe("nosniff");
    expect(headers.get("content-security-policy")).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(headers.get("x-frame-options")).toBe("DENY");
    expect(headers.get("cache-control")).toBe("no-store");
    expect(headers.get("x-powered-by")).toBeNull();
  });

  it("headers over Node's limit are a 431 in the error shape", async () => {
    const { status, body } = await rawRequest(system.baseUrl, "GET", "/health/live", {
      "x-padding": "x".repeat(20_000),
    });
    expect(status).toBe(431);
    expectErrorShape(JSON.parse(body) as Record<string, unknown>, 431);
  });
});

/** node:http, for what fetch refuses to send. */
function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}${path}`, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
    });
    request.on("error", reject);
    request.end();
  });
}

it("binds to the address HTTP_HOST names", () => {
  const api = system.broker.getLocalService("api") as unknown as { server: Server };
  expect((api.server.address() as AddressInfo).address).toBe("127.0.0.1");
});

describe("health", () => {
  it("is live", async () => {
    expect(await http(system.baseUrl, "GET", "/health/live")).toMatchObject({
      status: 200,
      body: { status: "UP" },
    });
  });

  it("reports each service's database and bus when ready", async () => {
    const ready = await http(system.baseUrl, "GET", "/health/ready");
    expect(ready.body.checks).toEqual({
      order: { status: "UP", database: "UP", bus: "in-process", outboxParked: 0 },
      payment: { status: "UP", database: "UP", bus: "in-process", outboxParked: 0 },
      saga: { status: "UP", database: "UP", bus: "in-process", outboxParked: 0 },
    });
  });
});

describe("a client's request id cannot strand an order after its 201", () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  async function placeWith(headers: Record<string, string>) {
    const created = await http(system.baseUrl, "POST", "/orders", {
      json: orderOf("p1", 1, 10),
      headers,
    });
    expect(created.status).toBe(201);
    const orderId = created.body.orderId as string;
    const order = await eventually(async () => {
      const { body } = await http(system.baseUrl, "GET", `/orders/${orderId}`);
      expect(body.status).toBe("CONFIRMED");
      return body;
    });
    const saga = await http<{ transitions: Array<{ causationId: string }> }>(
      system.baseUrl,
      "GET",
      `/orders/${orderId}/saga`,
    );
    return { created, order, saga: saga.body };
  }

  it.each([
    ["201 characters", "r".repeat(201)],
    ["empty", ""],
    ["spaces", "not a token"],
  ])(
    "an X-Request-ID of %s is replaced by a fresh id and the order is confirmed",
    async (_name, id) => {
      const { created } = await placeWith({ "x-request-id": id });
      expect(created.headers.get("x-request-id")).toMatch(UUID);
    },
  );

  it("a well-formed X-Request-ID is kept and returned", async () => {
    const { created } = await placeWith({ "x-request-id": "client-req-42" });
    expect(created.headers.get("x-request-id")).toBe("client-req-42");
  });
});
