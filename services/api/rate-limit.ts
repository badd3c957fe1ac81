import type { IncomingMessage } from "node:http";
import type { Caller } from "../shared/runtime/caller";

/** A request once the gateway has read its token: who it is from, or why the token failed. */
export type IdentifiedRequest = IncomingMessage & {
  $identity?: { caller?: Caller; rejection?: Error };
};

/** The rate limiter's window: RATE_LIMIT_RPS requests per second, counted per second. */
const WINDOW_MS = 1_000;

/** Seconds a client is asked to wait after a 429: the window then starts again. */
export const RATE_LIMIT_RETRY_AFTER_SECONDS = WINDOW_MS / 1_000;

/**
 * moleculer-web's rate limiter (its in-memory store: limits are per gateway instance), keyed by
 * the customer whose token the gateway verified, or by the client's address when the request
 * carries no valid token, so that neither a customer's many connections nor an anonymous
 * client's many made-up subjects escape it. Off (undefined) when `rps` is 0.
 */
export function rateLimitOf(rps: number) {
  if (rps <= 0) return undefined;
  return {
    window: WINDOW_MS,
    limit: rps,
    headers: true,
    key: (req: IdentifiedRequest) => {
      const caller = req.$identity?.caller;
      return caller ? `customer:${caller.customerId}` : `address:${req.socket.remoteAddress}`;
    },
  };
}
