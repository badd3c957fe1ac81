import { AsyncLocalStorage } from "node:async_hooks";
import type { Envelope } from "../../../contracts";

/** The message being handled: what every log line written while handling it carries. */
export interface MessageContext {
  /** The order the message is about (every business message is keyed and correlated by it). */
  orderId: string;
  correlationId: string;
  messageId: string;
  messageType: string;
}

const current = new AsyncLocalStorage<MessageContext>();

/** Runs `work` as the handling of `envelope`: anything it logs names the message and its order. */
export function withMessageContext<T>(envelope: Envelope, work: () => Promise<T>): Promise<T> {
  return current.run(
    {
      orderId: envelope.correlationId,
      correlationId: envelope.correlationId,
      messageId: envelope.messageId,
      messageType: envelope.type,
    },
    work,
  );
}

/** The message being handled by the code running now, if any (for the logger). */
export function currentMessageContext(): MessageContext | undefined {
  return current.getStore();
}
