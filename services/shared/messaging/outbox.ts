import type { Envelope, EnvelopeContext, MessageContract } from "../../../contracts";
import type { Sequelize, Transaction } from "sequelize";

export interface OutboxMessage {
  topic: string;
  key: string;
  envelope: Envelope;
}

/**
 * Writes outgoing messages in the caller's transaction, next to the state change they announce.
 * Nothing is sent here: the relay publishes committed rows, so a rollback sends nothing and a
 * commit is never lost (no dual write).
 */
export async function appendToOutbox(
  sequelize: Sequelize,
  transaction: Transaction,
  messages: readonly OutboxMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  const bind: unknown[] = [];
  const rows = messages.map((message) => {
    const at = bind.length;
    bind.push(
      message.envelope.messageId,
      message.topic,
      message.key,
      message.envelope.type,
      JSON.stringify(message.envelope),
    );
    return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5}::jsonb)`;
  });
  await sequelize.query(
    `INSERT INTO outbox (message_id, topic, message_key, message_type, envelope) VALUES ${rows.join(", ")}`,
    { bind, transaction },
  );
}

/**
 * Builds the outbox row for a contract, checking the payload on the way out: a message that
 * breaks its own contract is a bug here, not something for consumers to dead-letter later.
 */
export function outgoingMessage<T>(
  contract: MessageContract<T>,
  payload: T,
  context: EnvelopeContext,
): OutboxMessage {
  const checked = contract.checkPayload(payload);
  if (!checked.ok) {
    throw new Error(
      `outgoing ${contract.type} breaks its contract: ${JSON.stringify(checked.errors)}`,
    );
  }
  return {
    topic: contract.topic,
    key: context.correlationId,
    envelope: contract.envelope(payload, context) as Envelope,
  };
}
