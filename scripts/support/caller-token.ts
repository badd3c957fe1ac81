import { randomBytes } from "node:crypto";
import { signingSecret, signToken } from "../../services/api/auth";
import { loadConfig } from "../../services/shared/config/config";

/**
 * The bearer token a load tool calls the gateway with, as customer `load-generator`.
 *
 * - For systems the tool starts itself (bench, chaos), `ownKey`: a fresh AUTH_JWT_SECRET is put
 *   in this process's environment (the nodes it launches inherit it) unless one is set.
 * - For a system someone else started (`npm run load`): OMS_TOKEN if given, else a token signed
 *   with AUTH_JWT_SECRET or the embedded default's development key, as `npm run token` signs.
 */
export async function callerToken(options: { ownKey?: boolean } = {}): Promise<string> {
  if (!options.ownKey && process.env.OMS_TOKEN) return process.env.OMS_TOKEN;
  if (options.ownKey) process.env.AUTH_JWT_SECRET ??= randomBytes(32).toString("base64url");
  const { auth } = loadConfig();
  const secret = signingSecret(auth);
  if (!secret)
    throw new Error("no key to sign with: set OMS_TOKEN, or AUTH_JWT_SECRET as the gateway has it");
  return signToken(auth, secret, "load-generator");
}
