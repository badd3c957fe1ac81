import { currentMessageContext } from "../messaging/message-context";
import { outboxRows, type OutboxMessage } from "../messaging/outbox";
import { formatTraceparent, type TraceContext } from "../messaging/trace-context";
import type { SqlExecutor, Statement } from "./sql-database";
import type { UnitOfWork } from "./unit-of-work";

/**
 * The shared half of every context's unit of work: an identity map of aggregates by orderId,
 * which of them are new or changed, and the outbox messages their changes produced. A context
 * says how to load a set of its aggregates and how to write the new and changed ones with
 * their outbox rows: one statement for the batch, a data-modifying CTE per table, so a flush is
 * one round trip. Aggregates are written with an upsert (INSERT … ON CONFLICT DO UPDATE): a
 * unique-index probe per row whatever the table's size or statistics. (An UPDATE … FROM
 * json_to_recordset(…) was planned, while the tables were still empty, as a hash join over a
 * scan of the whole table, and kept that plan: its cost grew with every order ever stored.)
 */
export abstract class AggregateUnitOfWork<Aggregate> implements UnitOfWork {
  private readonly loaded = new Map<string, Aggregate | null>();
  private readonly dirty = new Map<string, Aggregate>();
  /** The span each dirty aggregate was changed in, for work that resumes from its row later. */
  private readonly traces = new Map<string, TraceContext | undefined>();
  private readonly messages: OutboxMessage[] = [];
  private readonly outboxIds: number[] = [];

  constructor(protected readonly sql: SqlExecutor) {}

  async prefetch(orderIds: readonly string[]): Promise<void> {
    const missing = [...new Set(orderIds)].filter((orderId) => !this.loaded.has(orderId));
    if (missing.length === 0) return;
    const found = await this.load(missing);
    for (const orderId of missing) this.loaded.set(orderId, found.get(orderId) ?? null);
  }

  async flush(): Promise<number[]> {
    if (this.dirty.size > 0 || this.messages.length > 0) {
      const written = await this.write([...this.dirty.values()], outboxRows(this.messages));
      this.outboxIds.push(...written);
      this.dirty.clear();
      this.traces.clear();
      this.messages.length = 0;
    }
    return this.outboxIds.splice(0);
  }

  /** The order's aggregate as this unit of work knows it (loaded once, then from the map). */
  protected async find(orderId: string): Promise<Aggregate | null> {
    if (!this.loaded.has(orderId)) await this.prefetch([orderId]);
    return this.loaded.get(orderId) ?? null;
  }

  /** An aggregate the context has just stored itself: it is known, and not written again. */
  protected markStored(orderId: string, aggregate: Aggregate): void {
    this.loaded.set(orderId, aggregate);
  }

  /** A new or changed aggregate: written at flush, with whatever state it has by then. */
  protected markDirty(orderId: string, aggregate: Aggregate): void {
    this.loaded.set(orderId, aggregate);
    this.dirty.set(orderId, aggregate);
    // Kept as it is, written out only by the contexts that store it (payments, sagas).
    this.traces.set(orderId, currentMessageContext()?.trace);
  }

  /** The `traceparent` of the span the order's aggregate was last changed in (null: untraced). */
  protected traceparentOf(orderId: string): string | null {
    const trace = this.traces.get(orderId);
    return trace ? formatTraceparent(trace) : null;
  }

  protected queue(messages: readonly OutboxMessage[]): void {
    this.messages.push(...messages);
  }

  /** Outbox rows the context wrote itself (not through `queue`), to report at flush. */
  protected wrote(outboxIds: readonly number[]): void {
    this.outboxIds.push(...outboxIds);
  }

  /** Runs a `flushStatement` with each table's rows as one JSON parameter; returns the outbox ids. */
  protected async flushWith(
    flush: Statement,
    tables: readonly (readonly object[])[],
  ): Promise<number[]> {
    const written = await this.sql.query<{ id: number }>(
      flush,
      tables.map((rows) => JSON.stringify(rows)),
    );
    return written.map((row) => row.id);
  }

  /** Loads and locks (FOR UPDATE, in key order, so concurrent batches cannot deadlock). */
  protected abstract load(orderIds: readonly string[]): Promise<Map<string, Aggregate>>;

  /**
   * Upserts these aggregates and inserts the outbox rows, in one statement (`flushStatement`);
   * returns the outbox rows' ids.
   */
  protected abstract write(aggregates: Aggregate[], outbox: readonly object[]): Promise<number[]>;
}
