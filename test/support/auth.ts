import { signToken } from "../../services/api/auth";

/** The key every test system and cluster is started with (AUTH_JWT_SECRET). */
export const TEST_AUTH_SECRET = "test-secret-that-is-at-least-32-bytes-long";
/** The issuer and audience test systems check (AUTH_ISSUER, AUTH_AUDIENCE defaults). */
export const TEST_CLAIMS = { issuer: "distributed-oms", audience: "oms-api" };

const tokens = new Map<string, Promise<string>>();

/** A bearer token for `customer` (an admin's with `admin`), signed with the test key. */
export function tokenFor(customer: string, admin = false): Promise<string> {
  const key = `${customer}:${admin}`;
  let token = tokens.get(key);
  if (!token) {
    token = signToken(TEST_CLAIMS, TEST_AUTH_SECRET, customer, { admin });
    tokens.set(key, token);
  }
  return token;
}

/** The customer the tests place orders as, unless a test says otherwise. */
export const TEST_CUSTOMER = "test-customer";
