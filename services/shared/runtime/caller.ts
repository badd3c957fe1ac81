import type { Context } from "moleculer";

/** Who is calling: the token's `sub` is the customer; the `admin` role sees every customer's. */
export interface Caller {
  customerId: string;
  admin: boolean;
}

/**
 * Calls that do not come through the gateway (the REPL, a script on the broker) act as the
 * operator: they see everything, as an admin does. The gateway always sets the caller of a
 * request it authenticated, so no HTTP request is ever the operator.
 */
export const OPERATOR: Caller = { customerId: "operator", admin: true };

/** The caller the gateway put in the context's meta, or the operator. */
export function callerOf(ctx: Context<unknown, object>): Caller {
  return (ctx.meta as { caller?: Caller }).caller ?? OPERATOR;
}

/** Whether the caller may see what `ownerId` owns: its owner, or an admin. */
export function canSee(caller: Caller, ownerId: string | null): boolean {
  return caller.admin || caller.customerId === ownerId;
}
