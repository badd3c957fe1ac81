import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { deflateSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { signToken } from "../../services/api/auth";
import { TEST_AUTH_SECRET, TEST_CLAIMS, TEST_CUSTOMER, tokenFor } from "../support/auth";
import { startTestSystem, type TestSystem } from "../support/test-system";

/**
 * The gateway as an attacker tries it from outside: generated requests (methods, paths, query
 * strings, headers, bodies of every shape, size and encoding) must each get an answer below 500,
 * with the security headers, every error in the one error shape, and the service must be healthy
 * afterwards. A failure
 * prints the seed and the shrunk request; `FUZZ_SEED=<seed>` replays it, `FUZZ_RUNS` sets the
 * number of requests (10,000 by default, as CI runs it).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
jest.setTimeout(Math.max(60_000, RUNS * 20));

let system: TestSystem;
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

beforeAll(async () => {
  system = await startTestSystem("fuzz", { fresh: true });
  const claims = TEST_CLAIMS;
  credentials.set("customer", `Bearer ${await tokenFor(TEST_CUSTOMER)}`);
  credentials.set("admin", `Bearer ${await tokenFor("fuzz-admin", true)}`);
  credentials.set("none", undefined);
  credentials.set("garbage", "Bearer not.a.token");
  credentials.set(
    "expired",
    `Bearer ${await signToken(claims, TEST_AUTH_SECRET, "late", { expiresIn: Math.floor(Date.now() / 1000) - 60 })}`,
  );
  credentials.set(
    "other-key",
    `Bearer ${await signToken(claims, "another-secret-that-is-32-bytes-long!", "mallory")}`,
  );
  credentials.set("no-bearer", `Basic ${Buffer.from("a:b").toString("base64")}`);
});
afterAll(async () => {
  agent.destroy();
  await system.stop();
});

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** Which credentials it carries (made in beforeAll, tokens being signed asynchronously). */
  caller?: Caller;
}

type Caller = "customer" | "admin" | "none" | "garbage" | "expired" | "other-key" | "no-bearer";
const credentials = new Map<Caller, string | undefined>();

const ORDER_ID = "7d2c8a57-5f3e-4c1a-9a59-5d1f2f0e9b11";

/** Text an attacker would try inside a field: control characters, lone surrogates, huge or odd numbers. */
const nastyText = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.constantFrom(
    "\u0000",
    "a\u0000b",
    "\ud800",
    "\udfff",
    "x\ud800y",
    "\u202e",
    "' OR 1=1 --",
    "%00",
    "../..",
    "constructor",
    "__proto__",
    "",
  ),
);
const nastyNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1.005, 2 ** 53 + 1, 1e300, -1e300, Number.MAX_VALUE, Number.MIN_VALUE),
);
const item = fc.record(
  {
    productId: fc.oneof(nastyText, nastyNumber),
    quantity: fc.oneof(nastyNumber, nastyText),
    price: fc.oneof(nastyNumber, nastyText),
  },
  { requiredKeys: [] },
);

/** A real order: some of the generated requests must get through, so the rest is exercised too. */
const validOrder = fc
  .array(
    fc.record({
      productId: fc.string({ minLength: 1, maxLength: 20 }).filter((id) => id.trim() !== ""),
      quantity: fc.integer({ min: 1, max: 100 }),
      price: fc.integer({ min: 1, max: 1_000_000 }).map((paise) => paise / 100),
    }),
    { minLength: 1, maxLength: 3 },
  )
  .map((items) => JSON.stringify({ items }));

/** JSON text: mostly near a real order, else anything JSON can say. */
const jsonText = fc.oneof(
  fc.record({ items: fc.array(item, { maxLength: 5 }) }).map((body) => JSON.stringify(body)),
  fc
    .record({ items: fc.array(item, { maxLength: 3 }), extra: fc.jsonValue({ maxDepth: 4 }) })
    .map(({ items, extra }) =>
      JSON.stringify({ items, [JSON.stringify(extra).slice(0, 12) || "x"]: extra }),
    ),
  fc.jsonValue({ maxDepth: 5 }).map((value) => JSON.stringify(value)),
  // Nesting, deep and very deep, in the items or in a field nobody knows.
  fc
    .tuple(fc.integer({ min: 1, max: 6_000 }), fc.constantFrom("[", '{"a":'), fc.boolean())
    .map(([depth, open, inItems]) => {
      const close = open === "[" ? "]" : "}";
      const deep = `${open.repeat(depth)}${open === "[" ? "" : "1"}${close.repeat(depth)}`;
      return inItems
        ? `{"items":${deep}}`
        : `{"items":[{"productId":"p","quantity":1,"price":1}],"x":${deep}}`;
    }),
  // Many items, duplicate keys, a number beyond double, a truncated document.
  fc.integer({ min: 101, max: 10_000 }).map((count) =>
    JSON.stringify({
      items: Array.from({ length: count }, () => ({ productId: "p", quantity: 1, price: 1 })),
    }),
  ),
  fc.constantFrom(
    '{"items":[],"items":[{"productId":"p","quantity":1,"price":1}]}',
    '{"items":[{"productId":"p","quantity":1,"price":1e400}]}',
    '{"items":[{"productId":"p","quantity":1,"price":1',
    "",
    "null",
    "[]",
    '"just a string"',
  ),
);

const body: fc.Arbitrary<Buffer | undefined> = fc.oneof(
  { weight: 3, arbitrary: validOrder.map((text) => Buffer.from(text)) },
  // Over the 1 MB body limit.
  {
    weight: 1,
    arbitrary: fc.constant(Buffer.from(`{"items":[{"productId":"${"x".repeat(1_100_000)}"}]}`)),
  },
  { weight: 6, arbitrary: jsonText.map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const path = fc.oneof(
  fc.constantFrom(
    "/orders",
    `/orders/${ORDER_ID}`,
    `/orders/${ORDER_ID}/saga`,
    `/orders/${ORDER_ID}/payment`,
    "/health/live",
    "/health/ready",
    "/",
    "/orders/",
    "/api/orders",
    "/%2e%2e/etc/passwd",
    "/orders/%00",
    "/orders/not-a-uuid/saga",
    "/openapi.json",
    "/asyncapi.json",
    "/docs",
  ),
  fc.webPath(),
  fc
    .record({
      status: fc.option(fc.oneof(nastyText, fc.constantFrom("PENDING", "CONFIRMED"))),
      page: fc.option(fc.oneof(nastyText, fc.constantFrom("2", "1e300", "-1", "0", "99999999999"))),
      pageSize: fc.option(fc.oneof(nastyText, fc.constantFrom("1", "100", "1000", "0"))),
      cursor: fc.option(
        fc.oneof(
          nastyText,
          nastyText.map((text) => Buffer.from(text).toString("base64url")),
          fc
            .tuple(fc.date({ noInvalidDate: true }), fc.uuid())
            .map(([at, id]) => Buffer.from(`${at.toISOString()}|${id}`).toString("base64url")),
        ),
      ),
    })
    .map((query) => {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(query))
        if (value !== null) params.append(name, value);
      return `/orders?${params.toString()}`;
    }),
);

const anyMethod = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(
      "GET",
      "POST",
      "POST",
      "POST",
      "PUT",
      "DELETE",
      "PATCH",
      "OPTIONS",
      "HEAD",
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom("PROPFIND", "TRACE", "FOO", "M-SEARCH") },
);

const contentType = fc.constantFrom<string>(
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=latin1",
  "application/json; charset=utf-16",
  "application/vnd.api+json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset",
  ";;;",
);

/** A header one request in four has. */
const sometimes = (value: fc.Arbitrary<string>): fc.Arbitrary<string | null> =>
  fc.nat(3).chain((draw) => (draw === 0 ? value : fc.constant(null)));

/** A request with the given method, path and content type; the rest generated the same way. */
const requestOf = (
  method: fc.Arbitrary<string>,
  path: fc.Arbitrary<string>,
  type: fc.Arbitrary<string | null>,
): fc.Arbitrary<FuzzRequest> =>
  fc
    .record({
      method,
      path,
      contentType: type,
      encoding: sometimes(
        fc.constantFrom("gzip", "deflate", "br", "identity", "zstd", "compress", "gzip, deflate"),
      ),
      compressed: fc.boolean(),
      idempotencyKey: sometimes(
        fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom("k".repeat(256), "same-key")),
      ),
      requestId: sometimes(fc.string({ maxLength: 300 })),
      body,
      caller: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom<Caller>("customer", "admin") },
        {
          weight: 2,
          arbitrary: fc.constantFrom<Caller>(
            "none",
            "garbage",
            "expired",
            "other-key",
            "no-bearer",
          ),
        },
      ),
    })
    .map(
      ({
        method,
        path,
        contentType,
        encoding,
        compressed,
        idempotencyKey,
        requestId,
        body,
        caller,
      }) => {
        const headers: Record<string, string> = {};
        if (contentType !== null) headers["content-type"] = contentType;
        if (idempotencyKey !== null) headers["idempotency-key"] = idempotencyKey;
        if (requestId !== null) headers["x-request-id"] = requestId;
        let bytes = body;
        if (encoding !== null && bytes !== undefined) {
          headers["content-encoding"] = encoding;
          // Half the time the body really is compressed as it says.
          if (compressed && encoding === "gzip") bytes = gzipSync(bytes);
          if (compressed && encoding === "deflate") bytes = deflateSync(bytes);
        }
        // Node refuses header values with characters outside latin1 or control characters.
        for (const [name, value] of Object.entries(headers))
          if (!/^[\t\x20-\x7e\x80-\xff]*$/.test(value)) delete headers[name];
        return { method, path, headers, body: bytes, caller };
      },
    );

/** Half anything at all, half aimed at placing an order (mostly with the right content type). */
const request = fc.oneof(
  requestOf(anyMethod, path, fc.option(contentType)),
  requestOf(
    fc.constant("POST"),
    fc.constant("/orders"),
    fc
      .nat(3)
      .chain((draw) =>
        draw < 3 ? fc.constant<string | null>("application/json") : fc.option(contentType),
      ),
  ),
);

function send({
  method,
  path,
  headers: generated,
  body,
  caller = "customer",
}: FuzzRequest): Promise<{ status: number; text: string; headers: IncomingHttpHeaders }> {
  const authorization = credentials.get(caller);
  const headers = { ...generated, ...(authorization && { authorization }) };
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      `${system.baseUrl}${path}`,
      {
        method,
        headers: { ...headers, ...(body && { "content-length": String(body.length) }) },
        agent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString(),
            headers: response.headers,
          }),
        );
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

it(`${RUNS} generated requests: no 5xx, every error in the one shape, the service healthy after`, async () => {
  const answered = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(request, async (generated) => {
      const { status, text, headers } = await send(generated);
      answered.set(status, (answered.get(status) ?? 0) + 1);
      expect(status).toBeGreaterThanOrEqual(200);
      expect(status).toBeLessThan(500);
      expect(headers["x-content-type-options"]).toBe("nosniff");
      expect(headers["x-powered-by"]).toBeUndefined();
      if (status >= 400 && generated.method !== "HEAD") {
        const error = JSON.parse(text) as Record<string, unknown>;
        expect(error).toEqual({
          status,
          message: expect.any(String),
          timestamp: expect.any(String),
          ...(error.errors !== undefined && { errors: expect.any(Object) }),
        });
      }
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: false },
  );
  const ready = await send({ method: "GET", path: "/health/ready", headers: {}, body: undefined });
  expect(ready.status).toBe(200);
  // The requests reached every part of the gateway: orders placed and read, and refusals of
  // every kind (a generator that only ever produced one 400 would prove little).
  console.log(
    `fuzz: answers by status ${JSON.stringify(Object.fromEntries([...answered].sort()))}`,
  );
  if (RUNS >= 1_000) {
    expect(answered.get(201)).toBeGreaterThan(0);
    for (const status of [200, 204, 400, 401, 404, 405, 413, 415])
      expect(answered.has(status)).toBe(true);
  }
});
