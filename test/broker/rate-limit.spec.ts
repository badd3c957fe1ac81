import { tokenFor } from "../support/auth";
import { http, type HttpResult } from "../support/http";
import { startTestSystem, type TestSystem } from "../support/test-system";

/**
 * RATE_LIMIT_RPS requests a second per customer, and per address for requests without a valid
 * token; past it, a 429 in the error shape with Retry-After. The limiter counts in one-second
 * windows, so a burst that straddles two windows may pass twice the limit, never more.
 */
jest.setTimeout(30_000);

const LIMIT = 5;
const BURST = 30;
let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem("rate_limit", {
    fresh: true,
    env: { RATE_LIMIT_RPS: String(LIMIT) },
  });
});
afterAll(() => system.stop());

const burst = (call: () => Promise<HttpResult>) =>
  Promise.all(Array.from({ length: BURST }, () => call()));
const statuses = (answers: HttpResult[]) => answers.map((answer) => answer.status);
const count = (answers: HttpResult[], status: number) =>
  answers.filter((answer) => answer.status === status).length;
/** The next window: what one second's burst used up is available again. */
const nextWindow = () => new Promise((resolve) => setTimeout(resolve, 1_100));

it("a customer past the limit gets 429s in the error shape, with Retry-After", async () => {
  await nextWindow();
  const alice = await tokenFor("alice");
  const answers = await burst(() => http(system.baseUrl, "GET", "/orders", { token: alice }));
  expect(count(answers, 200)).toBeGreaterThanOrEqual(1);
  expect(count(answers, 200)).toBeLessThanOrEqual(2 * LIMIT);
  expect(count(answers, 200) + count(answers, 429)).toBe(BURST);
  const limited = answers.find((answer) => answer.status === 429)!;
  expect(limited.body).toEqual({
    status: 429,
    message: "Rate limit exceeded",
    timestamp: expect.any(String),
  });
  expect(limited.headers.get("retry-after")).toBe("1");
  expect(limited.headers.get("x-rate-limit-limit")).toBe(String(LIMIT));
  expect(limited.headers.get("content-type")).toContain("application/json");
});

it("one customer's burst does not limit another customer", async () => {
  await nextWindow();
  const alice = await tokenFor("alice");
  const bob = await tokenFor("bob");
  const alices = await burst(() => http(system.baseUrl, "GET", "/orders", { token: alice }));
  expect(count(alices, 429)).toBeGreaterThan(0);
  const bobs = await http(system.baseUrl, "GET", "/orders", { token: bob });
  expect(bobs.status).toBe(200);
});

it("the limit is per second: the next second the customer is served again", async () => {
  await nextWindow();
  const alice = await tokenFor("alice");
  expect(
    count(await burst(() => http(system.baseUrl, "GET", "/orders", { token: alice })), 429),
  ).toBeGreaterThan(0);
  await nextWindow();
  expect((await http(system.baseUrl, "GET", "/orders", { token: alice })).status).toBe(200);
});

it("requests without a valid token are counted per address, whatever subject they claim", async () => {
  await nextWindow();
  let forged = 0;
  const answers = await burst(() =>
    http(system.baseUrl, "GET", "/orders", {
      // A token for a new subject each time, signed with a key the gateway does not know.
      token: `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: `x${++forged}` })).toString("base64url")}.c2ln`,
    }),
  );
  expect(new Set(statuses(answers))).toEqual(new Set([401, 429]));
  expect(count(answers, 401)).toBeLessThanOrEqual(2 * LIMIT);
});
