import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Pool } from "undici";

/** What one load phase did: the orders accepted (201) and how long each POST took. */
export interface LoadResult {
  accepted: string[];
  /** Non-201 answers and transport errors, by status ("error" for no answer). */
  refused: Record<string, number>;
  /** POST latency in ms; open loop: from when the request was due, not when it was sent. */
  postLatencies: number[];
  startedAt: number;
  endedAt: number;
}

export interface OrderBody {
  (index: number): string;
}

/**
 * Places orders over the public HTTP API with undici's connection pool. Two shapes of load:
 *
 * - `burst`: closed loop, a fixed number of connections each placing its next order as soon as
 *   the previous one is answered. It finds the most the system accepts.
 * - `openLoop`: a fixed arrival rate, whatever the system does. A request that cannot be sent
 *   when it is due waits, and its latency counts from when it was due, so a stalled server shows
 *   up as latency instead of hiding behind fewer requests ("coordinated omission"). wrk and
 *   autocannon are closed loop; the latency targets are for an open loop (docs/adr/0008).
 */
export class HttpLoad {
  private readonly pool: Pool;

  constructor(
    private readonly baseUrl: string,
    /** The bearer token every order is placed with. */
    private readonly token: string,
    connections = 256,
  ) {
    this.pool = new Pool(baseUrl, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  }

  async burst(orders: number, concurrency: number, body: OrderBody): Promise<LoadResult> {
    const result = emptyResult();
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < orders; index = next++) {
        const started = performance.now();
        await this.place(body(index), started, result);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    result.endedAt = Date.now();
    return result;
  }

  async openLoop(ratePerSecond: number, durationMs: number, body: OrderBody): Promise<LoadResult> {
    const result = emptyResult();
    const total = Math.round((ratePerSecond * durationMs) / 1000);
    const interval = 1000 / ratePerSecond;
    const start = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let sent = 0; sent < total;) {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
      for (; sent < due; sent += 1)
        inFlight.push(this.place(body(sent), start + sent * interval, result));
      const nextDue = start + sent * interval;
      await sleep(Math.max(0, nextDue - performance.now()));
    }
    await Promise.all(inFlight);
    result.endedAt = Date.now();
    return result;
  }

  /** One order at a time: resolves with its id once the 201 arrived. */
  async placeOne(body: string): Promise<string> {
    const result = emptyResult();
    await this.place(body, performance.now(), result);
    const [orderId] = result.accepted;
    if (!orderId) throw new Error(`order refused: ${JSON.stringify(result.refused)}`);
    return orderId;
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async place(body: string, due: number, into: LoadResult): Promise<void> {
    try {
      const response = await this.pool.request({
        path: "/orders",
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${this.token}` },
        body,
      });
      const text = await response.body.text();
      into.postLatencies.push(performance.now() - due);
      if (response.statusCode === 201)
        into.accepted.push((JSON.parse(text) as { orderId: string }).orderId);
      else into.refused[response.statusCode] = (into.refused[response.statusCode] ?? 0) + 1;
    } catch {
      into.refused.error = (into.refused.error ?? 0) + 1;
    }
  }
}

function emptyResult(): LoadResult {
  return { accepted: [], refused: {}, postLatencies: [], startedAt: Date.now(), endedAt: 0 };
}
