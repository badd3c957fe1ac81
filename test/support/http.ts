import { TEST_CUSTOMER, tokenFor } from "./auth";

export interface HttpResult<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * A tiny client for the gateway: JSON in, JSON out, status kept. It calls as the test customer
 * (a bearer token signed with the test key) unless `token` names another, or is null for none.
 */
export async function http<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: {
    json?: unknown;
    body?: string | Buffer;
    headers?: Record<string, string>;
    token?: string | null;
  } = {},
): Promise<HttpResult<T>> {
  const token = options.token === undefined ? await tokenFor(TEST_CUSTOMER) : options.token;
  const headers: Record<string, string> = {
    ...(token !== null && { authorization: `Bearer ${token}` }),
    ...options.headers,
  };
  let body: string | Buffer | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as T,
    headers: response.headers,
  };
}

export const orderOf = (productId: string, quantity: number, price: number) => ({
  items: [{ productId, quantity, price }],
});
