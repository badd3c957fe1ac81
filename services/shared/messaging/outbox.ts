import {
  checkEnvelope,
  type Envelope,
  type EnvelopeContext,
  type MessageContract,
} from "../../../contracts";
import { currentTraceparent } from "./message-context";

export interface OutboxMessage {
  topic: string;
  key: string;
  envelope: Envelope;
}

/**
 * `INSERT INTO outbox … SELECT … FROM json_to_recordset(<rows>)` for any number of messages, as a
 * part of the statement that writes the state change they announce (`rowsParameter` names its
 * JSON parameter, e.g. `$2`): they commit together, a rollback sends nothing, and nothing is sent
 * from here. The relay publishes committed rows, so there is no dual write. `created_at` is when
 * the row was written, at the end of its transaction (`now()` would be the transaction's
 * start): the age the metrics report, and where the relay's span begins.
 */
export const insertOutboxRows = (rowsParameter: string) => `
  INSERT INTO outbox (message_id, topic, message_key, message_type, envelope, created_at)
  SELECT message_id, topic, message_key, message_type, envelope, clock_timestamp()
  FROM json_to_recordset(${rowsParameter}::json)
    AS m(message_id uuid, topic text, message_key text, message_type text, envelope jsonb)`;

/** The rows for `insertOutboxRows` (its one parameter is them as JSON). */
export function outboxRows(messages: readonly OutboxMessage[]): object[] {
  return messages.map(({ topic, key, envelope }) => ({
    message_id: envelope.messageId,
    topic,
    message_key: key,
    message_type: envelope.type,
    envelope,
  }));
}

/**
 * Builds the outbox row for a contract, checking the whole message on the way out: one that
 * breaks its own contract (payload or envelope, e.g. a causation id no consumer accepts) would
 * be dead-lettered by every consumer and strand its order, so it is never written: the
 * transaction that wanted it fails instead. The message carries the span that wrote it (the
 * consumer or action running now), so its consumers continue the order's trace.
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
  const traceparent = context.traceparent ?? currentTraceparent();
  const envelope = contract.envelope(payload, { ...context, traceparent }) as Envelope;
  const sealed = checkEnvelope(envelope);
  if (!sealed.ok) {
    throw new Error(
      `outgoing ${contract.type} has an invalid envelope: ${JSON.stringify(sealed.errors)}`,
    );
  }
  return { topic: contract.topic, key: context.correlationId, envelope };
}
