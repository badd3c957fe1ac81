import { decodeMessage, type Envelope, type MessageContract } from "../../../contracts";
import type { Logger } from "../logger";
import { statement, type SqlDatabase, type SqlExecutor } from "../db/sql-database";
import { inUnitOfWork, type UnitOfWork, type UnitOfWorkFactory } from "../db/unit-of-work";
import { backoffDelay, delay } from "./backoff";
import { BatchCoalescer } from "./batch-coalescer";
import type { DeadLetterStore } from "./dead-letters";
import { classifyFailure } from "./failure-class";
import {
  describeRecord,
  type IncomingRecord,
  type MessageBus,
  type Subscription,
} from "./message-bus.port";
import type { MessageRejectedError } from "./message-rejected.error";
import { withMessageContext } from "./message-context";
import {
  endingSpans,
  NO_MESSAGE_TRACING,
  type MessageTracing,
  type OpenSpan,
} from "./message-tracing";
import { NO_MESSAGING_METRICS, type MessagingMetrics } from "./messaging-metrics";
import { parseTraceparent, type TraceContext } from "./trace-context";

/** Handles one contract's messages inside the batch's unit of work `W`. */
export interface MessageConsumer<W> {
  contract: MessageContract<unknown>;
  handle(envelope: Envelope<unknown>, work: W): Promise<void>;
}

/** A typed consumer for one contract; decoding guarantees the payload matches it. */
export function consumerOf<T, W>(
  contract: MessageContract<T>,
  handle: (envelope: Envelope<T>, work: W) => Promise<void>,
): MessageConsumer<W> {
  return { contract, handle } as MessageConsumer<W>;
}

export interface ConsumerRunnerOptions<W extends UnitOfWork> {
  groupId: string;
  database: SqlDatabase;
  /** Opens the service's unit of work on a batch's transaction. */
  unitOfWork: UnitOfWorkFactory<W>;
  bus: MessageBus;
  deadLetters: DeadLetterStore;
  maxAttempts: number;
  retryBaseMs: number;
  /**
   * Most messages per transaction. Larger batches mean fewer round trips and commits per
   * message; smaller ones mean less work to redo when a batch fails and falls back to one by one.
   */
  batchSize: number;
  /**
   * How long a batch may keep failing because the database is unreachable before this node
   * leaves its consumer group until the database answers again (see pauseUntilDatabaseAnswers).
   */
  pauseAfterMs: number;
  logger: Logger;
  /** Called after each committed transaction with the outbox rows it wrote, for the relay. */
  afterCommit: (outboxIds: number[]) => void;
  metrics?: MessagingMetrics;
  /** A span per handled message, continuing the trace the message carries. */
  tracing?: MessageTracing;
  /** The service the consumers belong to (the spans' service). */
  service?: string;
}

interface Decoded<W> {
  record: IncomingRecord;
  envelope: Envelope;
  consumer: MessageConsumer<W>;
}

const PROBE = statement("consumer.probe", "SELECT 1");
const DATABASE_PROBE_INTERVAL_MS = 2_000;

/** Longest pause between two tries of a batch that hit a transient fault. */
const MAX_TRANSIENT_DELAY_MS = 5_000;

/** Between half and all of `ms`: nodes that lost the database together do not retry in step. */
const jittered = (ms: number) => Math.round(ms / 2 + Math.random() * (ms / 2));

/** Sorted, so two batches that share a message id lock its inbox row in the same order. */
const RECORD_IN_INBOX = statement(
  "inbox.record",
  `INSERT INTO inbox (message_id, topic, message_type)
   SELECT message_id, topic, message_type
   FROM json_to_recordset($1::json) AS r(message_id uuid, topic text, message_type text)
   ORDER BY message_id
   ON CONFLICT (message_id) DO NOTHING
   RETURNING message_id`,
);

/**
 * The one consumer loop all services share. The bus hands it a partition's batch, and batches
 * handed over together (several partitions or topics at once) are taken as one (BatchCoalescer):
 *
 * 1. Each record is decoded against its topic's contract; bad bytes, a wrong type, a broken
 *    schema, or anything decoding throws, go to the DLT at once.
 * 2. The rest run in ONE transaction: one multi-row inbox insert (duplicates stop there), the
 *    handlers on one unit of work (which loads their aggregates in one query and writes their
 *    changes and outbox rows in one statement), one commit: two round trips in all.
 * 3. What a failure means is decided in one place, `classifyFailure` (docs/adr/0012). A
 *    transient database fault retries the whole batch in place, for as long as it takes. Any
 *    other failure committed nothing, and the batch's messages run again one by one, so the
 *    failing one is isolated: a rejection is dead-lettered at once, any other error after
 *    bounded retries with backoff, while the others succeed.
 *
 * The bus commits the offsets only when this returns, i.e. after the transactions.
 */
export class ConsumerRunner<W extends UnitOfWork> {
  private subscription: Subscription | undefined;
  private stopping = false;
  private pausing = false;
  private pauseCount = 0;
  private readonly consumers = new Map<string, MessageConsumer<W>>();
  private readonly coalescer: BatchCoalescer;

  private readonly metrics: MessagingMetrics;
  private readonly tracing: MessageTracing;

  constructor(private readonly options: ConsumerRunnerOptions<W>) {
    this.metrics = options.metrics ?? NO_MESSAGING_METRICS;
    this.tracing = options.tracing ?? NO_MESSAGE_TRACING;
    this.coalescer = new BatchCoalescer(options.batchSize, (records) => this.processBatch(records));
  }

  async start(consumers: readonly MessageConsumer<W>[]): Promise<void> {
    for (const consumer of consumers) this.consumers.set(consumer.contract.topic, consumer);
    if (this.consumers.size === 0) return;
    this.stopping = false;
    await this.subscribe();
  }

  private async subscribe(): Promise<void> {
    this.subscription = await this.options.bus.subscribe({
      groupId: this.options.groupId,
      topics: [...this.consumers.keys()],
      maxBatchSize: this.options.batchSize,
      handler: (records) => this.coalescer.add(records),
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.subscription?.close();
    this.subscription = undefined;
  }

  /** The topics this runner consumes (known once started). */
  get topics(): string[] {
    return [...this.consumers.keys()];
  }

  /** Times this runner left its group because its database stayed unreachable. */
  get pauses(): number {
    return this.pauseCount;
  }

  /**
   * The database has been unreachable for `pauseAfterMs`: this node cannot handle its
   * partitions, and holding them (it still heartbeats) keeps every order on them waiting. It
   * leaves the group, so a healthy instance takes them over, probes the database, and joins
   * again once it answers. Readiness fails meanwhile (the health check queries the database).
   */
  private async pauseUntilDatabaseAnswers(cause: Error): Promise<void> {
    if (this.pausing || this.stopping) return;
    this.pausing = true;
    this.pauseCount += 1;
    const { logger, database, groupId } = this.options;
    logger.error(
      `${groupId}: the database has been unreachable for ${this.options.pauseAfterMs} ms (${cause.message}); leaving the group so a healthy instance takes the partitions`,
    );
    try {
      await this.subscription?.close();
      this.subscription = undefined;
      while (!this.stopping) {
        try {
          await database.query(PROBE);
          break;
        } catch {
          await delay(DATABASE_PROBE_INTERVAL_MS);
        }
      }
      if (this.stopping) return;
      logger.info(`${groupId}: the database answers again; rejoining the group`);
      await this.subscribe();
    } catch (error) {
      logger.error(
        `${groupId}: could not rejoin after a database outage: ${(error as Error).message}`,
      );
    } finally {
      this.pausing = false;
    }
  }

  /**
   * A transient fault (the database unreachable, a deadlock, a failover…) is not the messages'
   * fault: the batch is retried in place, with backoff and jitter, for as long as it takes (the
   * log says how long), and never dead-lettered. Inboxes drop what had committed before.
   */
  private async processBatch(records: readonly IncomingRecord[]): Promise<void> {
    const since = Date.now();
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.processBatchOnce(records);
      } catch (error) {
        if (classifyFailure(error) !== "transient" || this.stopping || this.pausing) throw error;
        if (Date.now() - since >= this.options.pauseAfterMs) {
          // Not awaited: the bus waits for this handler before it lets the member leave.
          void this.pauseUntilDatabaseAnswers(error as Error);
          throw error;
        }
        const wait = jittered(
          backoffDelay(attempt, this.options.retryBaseMs, MAX_TRANSIENT_DELAY_MS),
        );
        for (const topic of topicsOf(records)) this.metrics.retried(this.options.groupId, topic);
        this.options.logger.warn(
          `A batch of ${records.length} hit a transient fault (attempt ${attempt}, again in ${wait} ms): ${(error as Error).message}`,
        );
        await delay(wait);
      }
    }
  }

  private async processBatchOnce(records: readonly IncomingRecord[]): Promise<void> {
    const decoded: Decoded<W>[] = [];
    for (const record of records) {
      const message = await this.decodeOrPark(record);
      if (message) decoded.push(message);
    }
    if (decoded.length > 1) {
      this.throwIfStopping();
      try {
        this.options.afterCommit(await this.commit(decoded));
        return;
      } catch (error) {
        if (classifyFailure(error) === "transient") throw error;
        this.options.logger.info(
          `A batch of ${decoded.length} failed (${(error as Error).message}); handling its messages one by one`,
        );
      }
    }
    for (const message of decoded) await this.processOne(message);
  }

  /** Anything that cannot be decoded, whatever the reason (even a bug in decoding), is parked. */
  private async decodeOrPark(record: IncomingRecord): Promise<Decoded<W> | null> {
    const consumer = this.consumers.get(record.topic);
    let failure: { code: string; message: string };
    if (!consumer) {
      failure = { code: "NO_CONSUMER", message: `no consumer for topic ${record.topic}` };
    } else {
      try {
        const decoded = decodeMessage(record.value, consumer.contract);
        if (decoded.ok) return { record, envelope: decoded.envelope, consumer };
        failure = decoded.failure;
      } catch (error) {
        failure = { code: "DECODE_FAILED", message: (error as Error).message };
      }
    }
    this.options.logger.warn(
      `Dead-lettering record ${describeRecord(record)}: ${failure.code} ${failure.message}`,
    );
    await this.options.deadLetters.park(record, { ...failure, attempts: 1 });
    return null;
  }

  /** One message in its own transaction: retried with backoff, then dead-lettered. */
  private processOne(message: Decoded<W>): Promise<void> {
    // Its retries, its rejection and its dead letter are logged as this message's.
    return withMessageContext(
      message.envelope,
      () => this.processOneInContext(message),
      traceOf(message),
    );
  }

  private async processOneInContext(message: Decoded<W>): Promise<void> {
    const { envelope, record } = message;
    const { maxAttempts, retryBaseMs, logger } = this.options;
    let lastError: Error = new Error("not attempted");
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      this.throwIfStopping();
      if (attempt > 1) this.metrics.retried(this.options.groupId, record.topic);
      try {
        this.options.afterCommit(await this.commit([message]));
        return;
      } catch (error) {
        const failure = classifyFailure(error);
        if (failure === "transient") throw error; // the batch is retried in place
        if (failure === "rejected") {
          const { code, message: reason } = error as MessageRejectedError;
          logger.warn(`Rejected ${envelope.type} ${envelope.messageId}: ${code} ${reason}`);
          return this.options.deadLetters.park(record, {
            code,
            message: reason,
            attempts: attempt,
          });
        }
        lastError = error as Error;
        logger.warn(
          `${envelope.type} ${envelope.messageId} failed (attempt ${attempt}/${maxAttempts}): ${lastError.message}`,
        );
        if (attempt < maxAttempts) await delay(backoffDelay(attempt, retryBaseMs));
      }
    }
    return this.options.deadLetters.park(record, {
      code: "HANDLER_FAILED",
      message: lastError.message,
      attempts: maxAttempts,
    });
  }

  /**
   * The inbox, the handlers and their changes, in one transaction; returns the outbox rows
   * written. Each message handled gets a span, up to the commit, and what its handler writes
   * carries that span on.
   */
  private async commit(messages: readonly Decoded<W>[]): Promise<number[]> {
    const started = performance.now();
    const spans: OpenSpan[] = [];
    const committed = await endingSpans(spans, () => this.handleInTransaction(messages, spans));
    const seconds = (performance.now() - started) / 1000;
    for (const topic of topicsOf(messages.map((message) => message.record)))
      this.metrics.handled(this.options.groupId, topic, seconds);
    return committed.outboxIds;
  }

  private handleInTransaction(messages: readonly Decoded<W>[], spans: OpenSpan[]) {
    const { database, unitOfWork, logger } = this.options;
    return inUnitOfWork(database, unitOfWork, async (work, sql) => {
      // Sent together (with the BEGIN): the orders of duplicates are loaded too, and unused.
      const [fresh] = await Promise.all([
        recordInInbox(sql, messages),
        work.prefetch(messages.map((message) => message.envelope.correlationId)),
      ]);
      // The first copy of each new id runs; later copies and ids already in the inbox do not.
      const todo = messages.filter((message) => fresh.delete(idOf(message)));
      if (todo.length < messages.length)
        logger.debug(`Skipped ${messages.length - todo.length} duplicate message(s)`);
      for (const message of todo) {
        const span = this.consumeSpan(message);
        spans.push(span);
        await withMessageContext(
          message.envelope,
          () => message.consumer.handle(message.envelope, work),
          span.context,
        );
      }
    });
  }

  private consumeSpan({ envelope, record }: Decoded<W>): OpenSpan {
    return this.tracing.start(`consume ${envelope.type}`, {
      parent: traceOf({ envelope, record }),
      service: this.options.service ?? this.options.groupId,
      kind: "CONSUMER",
      tags: {
        orderId: envelope.correlationId,
        messageId: envelope.messageId,
        topic: record.topic,
        group: this.options.groupId,
      },
    });
  }

  private throwIfStopping(): void {
    // Shutting down: leave the batch uncommitted, it is delivered again after restart.
    if (this.stopping) throw new Error("consumer is stopping");
  }
}

/** Records the messages' ids; returns those that were not there yet. */
async function recordInInbox(
  sql: SqlExecutor,
  messages: readonly Decoded<unknown>[],
): Promise<Set<string>> {
  const rows = messages.map(({ envelope, consumer }) => ({
    message_id: envelope.messageId,
    topic: consumer.contract.topic,
    message_type: envelope.type,
  }));
  const recorded = await sql.query<{ message_id: string }>(RECORD_IN_INBOX, [JSON.stringify(rows)]);
  return new Set(recorded.map((row) => row.message_id));
}

/**
 * The span a message continues: the relay's (its `traceparent` header), else the one that wrote
 * it (its envelope's; a replayed dead letter has only that).
 */
function traceOf({
  envelope,
  record,
}: Pick<Decoded<unknown>, "envelope" | "record">): TraceContext | undefined {
  return parseTraceparent(record.headers.traceparent) ?? parseTraceparent(envelope.traceparent);
}

/** The topics a batch holds, each once. */
const topicsOf = (records: readonly IncomingRecord[]) =>
  new Set(records.map((record) => record.topic));

/** PostgreSQL returns uuids in lower case; a producer may have written upper case. */
const idOf = (message: Decoded<unknown>) => message.envelope.messageId.toLowerCase();
