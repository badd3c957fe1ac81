import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import type { DatabaseOwner } from "../../services/shared/config/config";

const FINAL_SAGA_STATES = ["ORDER_CONFIRMED", "ORDER_CANCELLED"];

/**
 * What the benchmark reads from the OMS's own databases: cheap aggregate queries only, never one
 * query per order in flight (the old load tool polled every order every 100 ms and spent the
 * machine on it). Completion times come from the orders' own timestamps, read once at the end.
 */
export class OmsDatabases {
  private readonly pools: Record<DatabaseOwner, pg.Pool>;

  constructor(private readonly urls: Record<DatabaseOwner, string>) {
    const pool = (url: string) => new pg.Pool({ connectionString: url, max: 1 });
    this.pools = { order: pool(urls.order), payment: pool(urls.payment), saga: pool(urls.saga) };
  }

  private async one<T>(owner: DatabaseOwner, sql: string, params: unknown[] = []): Promise<T> {
    return (await this.pools[owner].query(sql, params)).rows[0] as T;
  }

  /** Polls one count (every 100 ms) until no order is pending, then until nothing is left in flight. */
  async waitUntilSettled(timeoutMs = 300_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const unsettled = async () => {
      const { n } = await this.one<{ n: number }>(
        "order",
        "SELECT count(*)::int AS n FROM orders WHERE status = 'PENDING'",
      );
      if (n > 0) return `${n} orders pending`;
      const sagas = await this.one<{ n: number }>(
        "saga",
        "SELECT count(*)::int AS n FROM order_sagas WHERE state <> ALL($1)",
        [FINAL_SAGA_STATES],
      );
      if (sagas.n > 0) return `${sagas.n} sagas unfinished`;
      for (const owner of ["order", "payment", "saga"] as const) {
        const outbox = await this.one<{ n: number }>(
          owner,
          "SELECT count(*)::int AS n FROM outbox",
        );
        if (outbox.n > 0) return `${outbox.n} ${owner} outbox rows unsent`;
      }
      return null;
    };
    for (let state = await unsettled(); state !== null; state = await unsettled()) {
      if (Date.now() > deadline)
        throw new Error(`the OMS did not settle in ${timeoutMs} ms: ${state}`);
      await sleep(100);
    }
  }

  /** Seconds from the first order's creation to the last one's final state, by the orders' clocks. */
  async completionSeconds(orderIds: readonly string[]): Promise<number> {
    const { seconds } = await this.one<{ seconds: number }>(
      "order",
      `SELECT extract(epoch FROM max(updated_at) - min(created_at))::float8 AS seconds
       FROM orders WHERE id = ANY($1::uuid[]) AND status <> 'PENDING'`,
      [orderIds],
    );
    return seconds;
  }

  /** created → final of each order, in ms, from the order service's own timestamps. */
  async finalLatencies(orderIds: readonly string[]): Promise<number[]> {
    const { rows } = await this.pools.order.query<{ ms: number }>(
      `SELECT extract(epoch FROM updated_at - created_at)::float8 * 1000 AS ms
       FROM orders WHERE id = ANY($1::uuid[]) AND status <> 'PENDING'`,
      [orderIds],
    );
    return rows.map((row) => row.ms);
  }

  async isFinal(orderId: string): Promise<boolean> {
    const row = await this.one<{ status: string } | undefined>(
      "order",
      "SELECT status FROM orders WHERE id = $1",
      [orderId],
    );
    return row !== undefined && row.status !== "PENDING";
  }

  /** Transactions committed so far in the three databases (PostgreSQL's own statistics). */
  async commits(): Promise<number> {
    // Other backends publish their counters at most once a second.
    await sleep(1_100);
    const names = Object.values(this.urls).map((url) => new URL(url).pathname.slice(1));
    const { n } = await this.one<{ n: number }>(
      "order",
      "SELECT sum(xact_commit)::float8 AS n FROM pg_stat_database WHERE datname = ANY($1)",
      [names],
    );
    return n;
  }

  /** Everything that must hold after a run; an empty list means it held. */
  async problems(declineAboveMinor: number): Promise<string[]> {
    const orders = await this.one<Record<string, number>>(
      "order",
      `SELECT count(*)::int AS orders,
         count(*) FILTER (WHERE total_minor <= $1)::int AS approvable,
         count(*) FILTER (WHERE status = 'PENDING')::int AS pending,
         count(*) FILTER (WHERE total_minor <= $1 AND status <> 'CONFIRMED')::int AS not_confirmed,
         count(*) FILTER (WHERE total_minor > $1 AND status <> 'CANCELLED')::int AS not_cancelled
       FROM orders`,
      [declineAboveMinor],
    );
    const payments = await this.one<Record<string, number>>(
      "payment",
      `SELECT count(*)::int AS payments,
         count(*) FILTER (WHERE status = 'COMPLETED')::int AS completed,
         count(*) FILTER (WHERE status = 'FAILED')::int AS failed
       FROM payments`,
    );
    const sagas = await this.one<Record<string, number>>(
      "saga",
      `SELECT count(*)::int AS sagas, count(*) FILTER (WHERE state <> ALL($1))::int AS unfinished
       FROM order_sagas`,
      [FINAL_SAGA_STATES],
    );
    const found: string[] = [];
    const expect = (what: string, actual: number, wanted: number) => {
      if (actual !== wanted) found.push(`${what}: ${actual}, expected ${wanted}`);
    };
    expect("orders still pending", orders.pending!, 0);
    expect("orders within the limit not CONFIRMED", orders.not_confirmed!, 0);
    expect("orders above the limit not CANCELLED", orders.not_cancelled!, 0);
    expect("payments", payments.payments!, orders.orders!);
    expect("payments COMPLETED", payments.completed!, orders.approvable!);
    expect("payments FAILED", payments.failed!, orders.orders! - orders.approvable!);
    expect("sagas", sagas.sagas!, orders.orders!);
    expect("sagas not final", sagas.unfinished!, 0);
    for (const owner of ["order", "payment", "saga"] as const) {
      const left = await this.one<Record<string, number>>(
        owner,
        `SELECT (SELECT count(*) FROM outbox)::int AS unsent,
           (SELECT count(*) FROM dead_letters)::int AS dead`,
      );
      expect(`${owner} outbox rows unsent`, left.unsent!, 0);
      expect(`${owner} dead letters`, left.dead!, 0);
    }
    return found;
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.pools).map((pool) => pool.end()));
  }
}
