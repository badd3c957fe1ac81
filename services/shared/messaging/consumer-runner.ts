import { decodeMessage, type Envelope, type MessageContract } from "../../../contracts";
import { QueryTypes, type Sequelize, type Transaction } from "sequelize";
import type { Logger } from "../logger";
import { isDatabaseUnavailable } from "../db/transient-faults";
import { backoffDelay, delay } from "./backoff";
import type { DeadLetterStore } from "./dead-letters";
import type { IncomingRecord, MessageBus, Subscription } from "./message-bus.port";

/**
 * A handler refuses a well-formed message it can never process (e.g. an illegal state change).
 * Retrying cannot help, so it goes to the DLT at once and its transaction is rolled back.
 */
export class MessageRejectedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "MessageRejectedError";
  }
}

export interface MessageConsumer {
  contract: MessageContract<unknown>;
  /** Runs inside the transaction that also records the message in the inbox. */
  handle(envelope: Envelope<unknown>, transaction: Transaction): Promise<void>;
}

/** A typed consumer for one contract; decoding guarantees the payload matches it. */
export function consumerOf<T>(
  contract: MessageContract<T>,
  handle: (envelope: Envelope<T>, transaction: Transaction) => Promise<void>,
): MessageConsumer {
  return { contract, handle } as MessageConsumer;
}

export interface ConsumerRunnerOptions {
  groupId: string;
  sequelize: Sequelize;
  bus: MessageBus;
  deadLetters: DeadLetterStore;
  maxAttempts: number;
  retryBaseMs: number;
  logger: Logger;
  /** Called after each committed handler transaction, to kick the outbox relay. */
  afterCommit: () => void;
}

/**
 * The one consumer loop all services share. For every record: decode against the topic's
 * contract (bad bytes, wrong type or schema → DLT at once), then in one transaction record the
 * message id in the inbox (a duplicate stops here) and run the handler. A handler error is
 * retried with exponential backoff, then dead-lettered; an unreachable database is not the
 * message's fault, so it goes back to the bus for redelivery instead. The bus commits the offset
 * only when this returns, i.e. after the transaction.
 */
export class ConsumerRunner {
  private subscription: Subscription | undefined;
  private stopping = false;
  private readonly consumers = new Map<string, MessageConsumer>();

  constructor(private readonly options: ConsumerRunnerOptions) {}

  async start(consumers: readonly MessageConsumer[]): Promise<void> {
    for (const consumer of consumers) this.consumers.set(consumer.contract.topic, consumer);
    if (this.consumers.size === 0) return;
    this.stopping = false;
    this.subscription = await this.options.bus.subscribe({
      groupId: this.options.groupId,
      topics: [...this.consumers.keys()],
      handler: (record) => this.process(record),
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.subscription?.close();
    this.subscription = undefined;
  }

  private async process(record: IncomingRecord): Promise<void> {
    const consumer = this.consumers.get(record.topic);
    if (!consumer) throw new Error(`no consumer for topic ${record.topic}`);
    const decoded = decodeMessage(record.value, consumer.contract);
    if (!decoded.ok) {
      this.options.logger.warn(
        `Dead-lettering record ${describe(record)}: ${decoded.failure.code} ${decoded.failure.message}`,
      );
      return this.options.deadLetters.park(record, { ...decoded.failure, attempts: 1 });
    }
    const { envelope } = decoded;
    const { maxAttempts, retryBaseMs, logger } = this.options;
    let lastError: Error = new Error("not attempted");
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      // Shutting down: leave the record uncommitted, it is delivered again after restart.
      if (this.stopping) throw new Error("consumer is stopping");
      try {
        await this.handleOnce(consumer, envelope);
        this.options.afterCommit();
        return;
      } catch (error) {
        if (error instanceof MessageRejectedError) {
          logger.warn(
            `Rejected ${envelope.type} ${envelope.messageId}: ${error.code} ${error.message}`,
          );
          return this.options.deadLetters.park(record, {
            code: error.code,
            message: error.message,
            attempts: attempt,
          });
        }
        // Our own database is down: not this message's fault. The bus redelivers it later.
        if (isDatabaseUnavailable(error)) throw error;
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

  private async handleOnce(consumer: MessageConsumer, envelope: Envelope): Promise<void> {
    const { sequelize } = this.options;
    await sequelize.transaction(async (transaction) => {
      const recorded = await sequelize.query(
        `INSERT INTO inbox (message_id, topic, message_type) VALUES ($1, $2, $3)
         ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
        {
          bind: [envelope.messageId, consumer.contract.topic, envelope.type],
          transaction,
          type: QueryTypes.SELECT,
        },
      );
      if (recorded.length === 0) {
        this.options.logger.debug(`Duplicate ${envelope.type} ${envelope.messageId} skipped`);
        return;
      }
      await consumer.handle(envelope, transaction);
    });
  }
}

function describe(record: IncomingRecord): string {
  return `${record.topic}[${record.partition}]@${record.offset}`;
}
