import { Errors, type Context, type Middleware, type Service } from "moleculer";
import { classifyFailure } from "../messaging/failure-class";

/**
 * An action whose database is unreachable (or asked for a retry: a deadlock, a failover) has
 * done nothing wrong and nothing permanent: its caller should try again shortly. The transient
 * fault, decided by the same `classifyFailure` the consumers use, leaves the action as
 * Moleculer's retryable error with status 503, which the gateway answers as 503 + Retry-After.
 */
export function createUnavailableDatabaseMiddleware(): Middleware {
  return {
    name: "UnavailableDatabase",
    localAction(next) {
      return async function (this: Service, ctx: Context) {
        try {
          return await next.call(this, ctx);
        } catch (error) {
          if (classifyFailure(error) !== "transient") throw error;
          throw new Errors.MoleculerRetryableError(
            "the service's database is unavailable",
            503,
            "DATABASE_UNAVAILABLE",
          );
        }
      };
    },
  };
}
