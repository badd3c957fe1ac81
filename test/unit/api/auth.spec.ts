import { createAuthenticator, signToken } from "../../../services/api/auth";

/**
 * The gateway's token check: what it accepts and refuses, and that remembering a verified token
 * (a client sends the same one with every request) never outlives the token itself.
 */
const SECRET = "unit-test-secret-that-is-at-least-32-bytes";
const CLAIMS = { issuer: "distributed-oms", audience: "oms-api" };
const config = {
  jwtSecret: SECRET,
  jwks: undefined,
  devKeyFile: undefined,
  ...CLAIMS,
};

const bearer = (token: string) => `Bearer ${token}`;
const reasonOf = async (verifying: Promise<unknown>) => {
  const error = (await verifying.then(
    () => {
      throw new Error("expected a 401");
    },
    (refusal: unknown) => refusal,
  )) as { code: number; data: { errors: { authorization: string } } };
  expect(error.code).toBe(401);
  return error.data.errors.authorization;
};

afterEach(() => jest.useRealTimers());

it("accepts a valid token, again and again, as its customer (admin from roles)", async () => {
  const authenticator = await createAuthenticator(config);
  const token = await signToken(CLAIMS, SECRET, "alice", { admin: true });
  for (let i = 0; i < 3; i++)
    expect(await authenticator.verify(bearer(token))).toEqual({ customerId: "alice", admin: true });
});

it("refuses a token signed with another key, or for another audience, every time", async () => {
  const authenticator = await createAuthenticator(config);
  const forged = await signToken(CLAIMS, `${SECRET}-not`, "alice");
  const elsewhere = await signToken({ ...CLAIMS, audience: "billing" }, SECRET, "alice");
  for (const token of [forged, elsewhere, forged])
    expect(await reasonOf(authenticator.verify(bearer(token)))).toBe("the token is not valid");
});

it("a token verified a moment ago is refused once it expires", async () => {
  jest.useFakeTimers({ now: Date.parse("2026-11-27T10:00:00Z"), doNotFake: ["nextTick"] });
  const authenticator = await createAuthenticator(config);
  const token = await signToken(CLAIMS, SECRET, "alice", { expiresIn: "30s" });
  expect((await authenticator.verify(bearer(token))).customerId).toBe("alice");
  jest.setSystemTime(Date.parse("2026-11-27T10:00:29Z"));
  expect((await authenticator.verify(bearer(token))).customerId).toBe("alice");
  jest.setSystemTime(Date.parse("2026-11-27T10:00:31Z"));
  expect(await reasonOf(authenticator.verify(bearer(token)))).toBe("the token has expired");
});

it("a long-lived token is checked again after a minute: its signature, not the memory of it", async () => {
  jest.useFakeTimers({ now: Date.parse("2026-11-27T10:00:00Z"), doNotFake: ["nextTick"] });
  const authenticator = await createAuthenticator(config);
  const token = await signToken(CLAIMS, SECRET, "alice", { expiresIn: "1h" });
  await authenticator.verify(bearer(token));
  const checked = jest.spyOn(
    authenticator as unknown as { check: (token: string) => Promise<unknown> },
    "check",
  );
  jest.setSystemTime(Date.parse("2026-11-27T10:00:59Z"));
  await authenticator.verify(bearer(token));
  expect(checked).not.toHaveBeenCalled();
  jest.setSystemTime(Date.parse("2026-11-27T10:01:01Z"));
  await authenticator.verify(bearer(token));
  expect(checked).toHaveBeenCalledTimes(1);
});

it("no token, or not a bearer token, is a 401 saying one is required", async () => {
  const authenticator = await createAuthenticator(config);
  for (const header of [undefined, "", "Basic YWxpY2U6cHc=", "Bearer "])
    expect(await reasonOf(authenticator.verify(header))).toMatch(/a bearer token is required/);
});
