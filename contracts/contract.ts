import { buildEnvelope, type Envelope, type EnvelopeContext } from "./envelope";
import type { Topic } from "./topics";
import { compileSchema, type CheckResult, type Schema } from "./validator";

export type MessageKind = "event" | "command";

/**
 * A message other services may rely on: its name, version, topic and payload schema. Events are
 * facts that happened; commands ask one service to do something.
 */
export interface MessageContract<TPayload> {
  readonly type: string;
  readonly version: number;
  readonly kind: MessageKind;
  readonly topic: Topic;
  /** The payload's rules, as `checkPayload` applies them (and the AsyncAPI document shows them). */
  readonly schema: Schema;
  checkPayload(payload: unknown): CheckResult<TPayload>;
  envelope(payload: TPayload, context: EnvelopeContext): Envelope<TPayload>;
}

export function defineContract<TPayload>(definition: {
  type: string;
  version: number;
  kind: MessageKind;
  topic: Topic;
  schema: Schema;
}): MessageContract<TPayload> {
  const checkPayload = compileSchema<TPayload>({ $$strict: false, ...definition.schema });
  return {
    type: definition.type,
    version: definition.version,
    kind: definition.kind,
    topic: definition.topic,
    schema: definition.schema,
    checkPayload,
    envelope: (payload, context) =>
      buildEnvelope(definition.type, definition.version, payload, context),
  };
}
