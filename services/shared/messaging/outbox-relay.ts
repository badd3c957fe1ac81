import { settledWithin } from "./backoff";
import { byTopic } from "./by-topic";
import type { Logger } from "../logger";
import type { SqlExecutor } from "../db/sql-database";
import { PublishRejectedError, type MessageBus, type OutgoingRecord } from "./message-bus.port";
import {
  endingSpans,
  NO_MESSAGE_TRACING,
  type MessageTracing,
  type OpenSpan,
} from "./message-tracing";
import { CLAIM_LEASE_SECONDS, OutboxClaims, type ClaimedRow } from "./outbox-claims";
import { formatTraceparent, parseTraceparent } from "./trace-context";

export interface OutboxRelayOptions {
  database: SqlExecutor;
  bus: MessageBus;
  /** Most rows per publish. */
  batchSize: number;
  /** Batches published and not yet acknowledged at once. */
  maxInFlight: number;
  pollIntervalMs: number;
  /** The node id: claims are marked with it, and a restarted node takes its own back at once. */
  owner: string;
  logger: Logger;
  /** How long `stop()` waits for publishes in flight before leaving their rows claimed. */
  stopGraceMs?: number;
  /**
   * A drain that has not got anywhere for this long (a claim answered, a publish settled) is
   * given up and a new one started (default: the claim lease, 60 s; a publish's retries end
   * well within it).
   */
  stuckAfterMs?: number;
  /** Opens a span per published message, from the moment its row was written (the outbox wait). */
  tracing?: MessageTracing;
  /** The service whose outbox this is (the spans' service). */
  service?: string;
}
/** A drain stuck longer than a claim lease is given up (the rows it holds are claimable again). */
const CLAIM_LEASE_MS = CLAIM_LEASE_SECONDS * 1_000;

/** Announced ids kept while the relay cannot publish (in batches); beyond, the search finds them. */
const MAX_ANNOUNCED_BATCHES = 20;

/**
 * Publishes committed outbox rows and deletes them: the outbox is a queue of what is still to
 * be sent (docs/adr/0007).
 *
 * - Announced, not searched: whoever commits outbox rows passes their ids to `kick(ids)`, and the
 *   relay claims exactly those by primary key. Searching the outbox for pending rows costs as
 *   much as the row versions vacuum has not removed yet (thousands a second under load), so only
 *   the poll does it: the fallback for rows nobody announced (a crashed process's, another
 *   instance's, a failed publish's).
 * - No transaction is open while the bus delivers: a row is claimed (a lease, in one statement,
 *   FOR UPDATE SKIP LOCKED so relays of several instances never take the same row), published,
 *   then deleted with the next claim. Nothing holds a connection or a lock meanwhile.
 * - Pipelined: up to `maxInFlight` batches are published and awaiting acknowledgement at once.
 * - At-least-once: a crash after a publish and before "sent" leaves the rows claimed; the same
 *   node takes them back when it restarts, any other relay when the lease ends; consumers'
 *   inboxes drop the duplicates. A failed publish releases its rows and pauses the relay until
 *   the next poll.
 * - One bad row cannot block the rest (docs/adr/0013): when the broker refuses a batch for good
 *   (PublishRejectedError), its rows become suspects and are published one by one; a suspect
 *   refused on its own is parked, with its error, and everything else flows on (its key's later
 *   rows wait behind it, so consumers never see them out of order).
 * - Order: one order's messages come from causally ordered steps (each next one follows the
 *   reply to the previous), so a service never has two of them pending at once; pipelining
 *   cannot reorder what was never pending together.
 */
export class OutboxRelay {
  private readonly claims: OutboxClaims;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  /** Counts drains; a drain given up sees a newer number and stops if it ever wakes. */
  private drains = 0;
  /** When the drain last got somewhere, and what it waits for now (for the watchdog's log line). */
  private progressAt = 0;
  private waitingFor = "";
  private readonly inFlight = new Set<Promise<void>>();
  /** Ids committed and announced, not claimed yet. */
  private announced: number[] = [];
  /** Ids published and acknowledged, to be deleted with the next claim. */
  private acknowledged: number[] = [];
  /** A search for unannounced rows is due (start, poll, or a kick without ids). */
  private searchDue = false;
  /**
   * Failed claims, releases and parks: each may have left rows claimed by this node that no
   * publish is working on. A claim commits even when the connection is cut before its answer
   * arrives, and a failed publish whose release never reached the database keeps its rows.
   * Nothing would touch them until their lease ends, a minute (the likely cause of a saga's
   * messages left unsent after its database came back, once in the fault suite), so the next
   * drain first settles this node's claims. Counted, not flagged: a doubt that arises while a
   * settle runs is settled by the next one.
   */
  private doubts = 0;
  private settledDoubts = 0;
  private pausedUntil = 0;
  private stopped = true;

  constructor(private readonly options: OutboxRelayOptions) {
    this.claims = new OutboxClaims(options.database, options.owner);
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.claims.releaseOwn();
    this.timer = setInterval(() => this.poll(), this.options.pollIntervalMs);
    this.timer.unref();
    this.poll();
  }

  /** New rows were committed: publish them now. Without ids, the relay searches the outbox. */
  kick(outboxIds?: readonly number[]): void {
    if (this.stopped) return;
    if (outboxIds === undefined) this.searchDue = true;
    else this.announced.push(...outboxIds);
    if (this.announced.length > MAX_ANNOUNCED_BATCHES * this.options.batchSize) {
      this.announced = [];
      this.searchDue = true;
    }
    this.resume();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    // Bounded: a drain waiting on a full window of publishes that never settle (a consumer whose
    // database is gone) must not hold the shutdown; its rows stay claimed for the next start.
    const work = Promise.allSettled([this.draining, ...this.inFlight]);
    await settledWithin(work, this.options.stopGraceMs ?? 5_000);
    await this.claims.deleteSent(this.acknowledged.splice(0));
  }

  private poll(): void {
    this.pausedUntil = 0;
    this.searchDue = true;
    this.resume();
  }

  private resume(): void {
    if (Date.now() < this.pausedUntil || this.stopped) return;
    if (this.draining && this.stuck()) this.giveUpDrain();
    if (this.draining) return;
    const drain = this.drain().finally(() => {
      if (this.draining === drain) this.draining = undefined;
    });
    this.draining = drain;
  }

  private stuck(): boolean {
    return Date.now() - this.progressAt > (this.options.stuckAfterMs ?? CLAIM_LEASE_MS);
  }

  /**
   * A drain that waits on something that never settles (a broker call that never answers) would
   * stop this relay for good: every kick and poll finds it still running. It is given up, loudly,
   * and a new one starts; the window's publishes are forgotten, and the rows they hold come back
   * when their lease ends (or at the next settle, if a statement fails meanwhile: at worst a
   * forgotten publish then goes out twice, and the inbox drops one).
   */
  private giveUpDrain(): void {
    const seconds = Math.round((Date.now() - this.progressAt) / 1_000);
    this.options.logger.error(
      `Outbox relay made no progress for ${seconds} s waiting for ${this.waitingFor}; starting again (rows it held return when their claim lease ends)`,
    );
    this.drains += 1;
    this.inFlight.clear();
    this.draining = undefined;
  }

  private progressed(): void {
    this.progressAt = Date.now();
  }

  /** Claims and publishes until nothing is announced, due or acknowledged, window permitting. */
  private async drain(): Promise<void> {
    const drain = ++this.drains;
    this.progressed();
    try {
      while (!this.stopped && drain === this.drains && Date.now() >= this.pausedUntil) {
        if (this.inFlight.size >= this.options.maxInFlight) {
          this.waitingFor = "a publish to settle";
          await Promise.race(this.inFlight);
          this.progressed();
          continue;
        }
        if (this.doubts > this.settledDoubts) {
          await this.settleClaimsInDoubt(drain);
          continue;
        }
        this.waitingFor = "the database to answer a claim";
        const rows = await this.claimNext();
        this.progressed();
        if (rows === null) return;
        if (rows.length > 0) this.track(this.publish(rows));
      }
    } catch (error) {
      // The database is unreachable: the poll timer tries again (nothing announced is lost).
      this.doubts += 1;
      this.options.logger.warn(`Outbox relay cannot claim rows: ${(error as Error).message}`);
    }
  }

  /**
   * Once this relay's publishes have settled, so that none of its claims is being worked on:
   * deletes the rows they sent and releases every other row it holds, for the claims to come.
   */
  private async settleClaimsInDoubt(drain: number): Promise<void> {
    const doubts = this.doubts;
    this.waitingFor = "its publishes to settle before releasing its claims";
    await Promise.allSettled(this.inFlight);
    this.progressed();
    // Given up meanwhile (the newer drain settles), or stopping (the next start releases all).
    if (drain !== this.drains || this.stopped) return;
    this.waitingFor = "the database to release this node's claims";
    const acknowledged = this.acknowledged.splice(0);
    let released: number;
    try {
      released = await this.claims.releaseOwn(acknowledged);
    } catch (error) {
      this.acknowledged.push(...acknowledged);
      throw error;
    }
    this.settledDoubts = Math.max(this.settledDoubts, doubts);
    this.progressed();
    if (released === 0) return;
    this.searchDue = true;
    this.options.logger.info(
      `Outbox relay released ${released} rows it held when the database failed it; they go out now`,
    );
  }

  /** The next batch: announced rows first, then a search if one is due; null when idle. */
  private async claimNext(): Promise<ClaimedRow[] | null> {
    const { batchSize } = this.options;
    const announced = this.announced.splice(0, batchSize);
    const acknowledged = this.acknowledged.splice(0);
    try {
      if (announced.length > 0) return await this.claims.announced(announced, acknowledged);
      if (this.searchDue) {
        const rows = await this.claims.pending(batchSize, acknowledged);
        this.searchDue = rows.length === batchSize;
        return rows;
      }
      if (acknowledged.length === 0) return null;
      await this.claims.deleteSent(acknowledged);
      return [];
    } catch (error) {
      this.announced.unshift(...announced);
      this.acknowledged.push(...acknowledged);
      throw error;
    }
  }

  /**
   * The claimed rows: the clean ones together, the suspects (in a batch refused before) one at a
   * time, in order, so that once one is parked its key's later suspects are not published
   * past it: they are released, and wait behind it.
   */
  private async publish(rows: ClaimedRow[]): Promise<void> {
    const clean = rows.filter((row) => !row.suspect);
    await allSettling<unknown>([
      clean.length > 0 ? this.publishBatch(clean) : Promise.resolve(true),
      this.publishSuspects(rows.filter((row) => row.suspect)),
    ]);
  }

  private async publishSuspects(suspects: ClaimedRow[]): Promise<void> {
    const blockedKeys = new Set<string>();
    for (const suspect of suspects) {
      if (blockedKeys.has(suspect.message_key)) {
        await this.claims.releaseFailed([suspect.id], new Error("waits behind a parked row"), true);
      } else if (!(await this.publishBatch([suspect]))) {
        blockedKeys.add(suspect.message_key);
      }
    }
  }

  /** Publishes one batch; false when it did not go out (released for later, or parked). */
  private async publishBatch(rows: ClaimedRow[]): Promise<boolean> {
    const ids = rows.map((row) => row.id);
    const spans = rows.map((row) => this.publishSpan(row));
    try {
      await endingSpans(spans, () =>
        this.options.bus.publish(rows.map((row, index) => toRecord(row, spans[index]!))),
      );
    } catch (error) {
      const refused = error instanceof PublishRejectedError;
      if (refused && rows.length === 1) {
        await this.park(rows[0]!, error);
        return false;
      }
      // Failed for now, across topics: one topic may be the cause (its consumers gone, its
      // partition leader moving), so each topic's rows go again on their own, at once. A topic
      // that fails again is released alone; the others are not held behind it. (Seen: a saga's
      // RejectOrder retried for as long as the payment service was down, in one batch with the
      // InitiatePayment nobody could take, so the order never got its answer.)
      const topics = [...byTopic(rows).values()];
      if (!refused && topics.length > 1 && !this.stopped) {
        const sent = await allSettling(topics.map((topicRows) => this.publishBatch(topicRows)));
        return sent.every(Boolean);
      }
      // Refused as a batch: its rows go again one by one, at once. Anything else may pass later.
      if (!refused) this.pausedUntil = Date.now() + this.options.pollIntervalMs;
      else this.searchDue = true;
      // While stopping, consumers leave and publishes fail by design: the rows stay pending.
      const log = this.stopped ? this.options.logger.debug : this.options.logger.warn;
      log.call(
        this.options.logger,
        `Outbox publish of ${rows.length} failed, will retry${refused ? " one by one" : ""}: ${(error as Error).message}`,
      );
      await this.claims.releaseFailed(ids, error as Error, refused);
      return false;
    }
    this.acknowledged.push(...ids);
    return true;
  }

  /**
   * The message's hop through the outbox, a child of the span that wrote it: from the commit
   * to the broker's acknowledgement. Its consumers' spans are its children (the `traceparent`
   * header), so a trace shows where an order waited.
   */
  private publishSpan(row: ClaimedRow): OpenSpan {
    const { tracing = NO_MESSAGE_TRACING, service = "outbox" } = this.options;
    return tracing.start(`publish ${row.message_type}`, {
      parent: parseTraceparent(row.traceparent),
      service,
      kind: "PRODUCER",
      tags: { orderId: row.message_key, messageId: row.message_id, topic: row.topic },
      startedAt: row.created_at.getTime(),
    });
  }

  private async park(row: ClaimedRow, error: Error): Promise<void> {
    this.options.logger.error(
      `Parked outbox row ${row.id} (${row.message_type} ${row.message_id} on ${row.topic}, key ${row.message_key}): the broker refuses it: ${error.message}. Later messages of this key wait behind it.`,
    );
    await this.claims.park(row.id, error);
  }

  /** Rows the broker refused for good, waiting for an operator. */
  countParked(): Promise<number> {
    return this.claims.countParked();
  }

  private track(publishing: Promise<void>): void {
    const tracked = publishing
      .catch((error: Error) => {
        // Releasing or parking failed (database gone): the rows are still claimed.
        this.doubts += 1;
        this.options.logger.warn(`Outbox relay lost track of a batch: ${error.message}`);
      })
      .finally(() => {
        this.inFlight.delete(tracked);
        // Deletes the batch (and claims whatever is waiting) now, not at the next commit.
        this.resume();
      });
    this.inFlight.add(tracked);
  }
}

/**
 * Every one of `work`, then the first failure if any: a batch is over only when all of its
 * parts are (a settle must not release rows a part is still publishing), and no part's failure
 * goes unhandled.
 */
async function allSettling<T>(work: ReadonlyArray<Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(work);
  const failure = results.find((result) => result.status === "rejected");
  if (failure) throw failure.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}

function toRecord(row: ClaimedRow, span: OpenSpan): OutgoingRecord {
  const headers: Record<string, string> = {
    "message-id": row.message_id,
    "message-type": row.message_type,
    "content-type": "application/json",
  };
  // W3C trace context in the record's headers, as OpenTelemetry's Kafka instrumentation puts it.
  if (span.context) headers.traceparent = formatTraceparent(span.context);
  return { topic: row.topic, key: row.message_key, value: row.envelope, headers };
}
