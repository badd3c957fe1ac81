import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

/** Above this total (rupees) the simulated provider declines: every fifth order is above it. */
export const DECLINE_ABOVE = 100_000;

export function orderAt(index: number): { body: string; total: number } {
  const price = index % 5 === 4 ? 60_000 : 100 + (index % 500);
  return {
    body: JSON.stringify({ items: [{ productId: `p${index % 97}`, quantity: 2, price }] }),
    total: price * 2,
  };
}

export interface AcceptedOrder {
  orderId: string;
  total: number;
  acceptedAt: number;
}

export interface ClientReport {
  accepted: AcceptedOrder[];
  /** Orders the client stopped retrying (never answered 201). */
  gaveUp: number;
  attempts: number;
  /** Attempts that failed: no answer (node killed mid-request, refused) or a 5xx. */
  failedAttempts: number;
  failures: Record<string, number>;
  /** When each failed attempt ended (ms since the epoch), to tell outages apart afterwards. */
  failedAt: number[];
}

const MAX_ATTEMPTS = 40;

/**
 * An honest client of the OMS behind two gateways: a fixed arrival rate (open loop), each order
 * with its own Idempotency-Key, and a failed attempt (the gateway killed mid-request, a 503 while
 * a node restarts) retried with the same key on the other gateway, with backoff; a gateway that
 * does not answer is left alone for a second, as a load balancer would. The key makes the
 * retries safe: an order whose 201 was lost is not placed twice.
 */
export async function placeOrders(
  gateways: readonly string[],
  /** The bearer token the client places its orders with. */
  token: string,
  count: number,
  ratePerSecond: number,
  onAccepted: (accepted: number) => void = () => undefined,
): Promise<ClientReport> {
  const report: ClientReport = {
    accepted: [],
    gaveUp: 0,
    attempts: 0,
    failedAttempts: 0,
    failures: {},
    failedAt: [],
  };
  const fail = (cause: string) => {
    report.failedAttempts += 1;
    report.failedAt.push(Date.now());
    report.failures[cause] = (report.failures[cause] ?? 0) + 1;
  };
  // Like a load balancer's health check: a gateway that did not answer is skipped for a while.
  const downUntil = new Map<string, number>();
  const pick = (index: number, attempt: number) => {
    const up = gateways.filter((gateway) => (downUntil.get(gateway) ?? 0) <= Date.now());
    const from = up.length > 0 ? up : gateways;
    return from[(index + attempt) % from.length]!;
  };
  const place = async (index: number) => {
    const { body, total } = orderAt(index);
    const key = randomUUID();
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      report.attempts += 1;
      const gateway = pick(index, attempt);
      try {
        const response = await fetch(`${gateway}/orders`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "idempotency-key": key,
            authorization: `Bearer ${token}`,
          },
          body,
          signal: AbortSignal.timeout(15_000),
        });
        const answer = (await response.json().catch(() => ({}))) as { orderId?: string };
        if (response.status === 201 && answer.orderId) {
          report.accepted.push({ orderId: answer.orderId, total, acceptedAt: Date.now() });
          onAccepted(report.accepted.length);
          return;
        }
        fail(String(response.status));
        if (response.status < 500) break; // a client error is not going to change
      } catch (error) {
        fail((error as Error).name === "TimeoutError" ? "timeout" : "no answer");
        downUntil.set(gateway, Date.now() + 1_000);
      }
      await sleep(Math.min(200 * (attempt + 1), 3_000));
    }
    report.gaveUp += 1;
  };

  const interval = 1000 / ratePerSecond;
  const start = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let index = 0; index < count; index += 1) {
    const due = start + index * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const placing = place(index).finally(() => inFlight.delete(placing));
    inFlight.add(placing);
  }
  await Promise.all(inFlight);
  return report;
}
