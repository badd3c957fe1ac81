import { createSecretKey, randomBytes, type KeyObject } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  jwtVerify,
  SignJWT,
  type JWTVerifyGetKey,
  type JSONWebKeySet,
} from "jose";
import { Errors } from "moleculer";
import type { AppConfig } from "../shared/config/config";
import type { Caller } from "../shared/runtime/caller";
import { GatewayErrorCode } from "./http-errors";

/** The keys a token is checked with: one HS256 secret, or a JWKS (RS256/ES256). */
type Keys = { kind: "secret"; secret: KeyObject } | { kind: "jwks"; keys: JWTVerifyGetKey };

/**
 * How long a verified token is taken on trust again without a second signature check (never past
 * its `exp`), and how many are remembered. A client sends the same token with every request; a
 * key removed from a JWKS stops a token it signed within this time.
 */
const VERIFIED_TOKENS = { ttlMs: 60_000, max: 10_000, longestToken: 4_096 };

/**
 * Checks `Authorization: Bearer <JWT>`: signature, expiry, issuer and audience (jose), and a
 * non-empty `sub`. Anything else is a 401 in the error shape, saying which: a client can tell a
 * missing token from an expired one, an attacker learns nothing about the keys.
 */
export class Authenticator {
  private readonly options: { issuer: string; audience: string; algorithms: string[] };
  /** Tokens verified lately, by their exact text (signature included), with when to stop trusting. */
  private readonly verified = new Map<string, { caller: Caller; until: number }>();

  constructor(
    private readonly keys: Keys,
    issuer: string,
    audience: string,
  ) {
    const algorithms = keys.kind === "secret" ? ["HS256"] : ["RS256", "ES256"];
    this.options = { issuer, audience, algorithms };
  }

  async verify(authorization: string | undefined): Promise<Caller> {
    const token = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization ?? "")?.[1];
    if (!token) throw unauthorized("a bearer token is required (Authorization: Bearer <JWT>)");
    const now = Date.now();
    const known = this.verified.get(token);
    if (known && now < known.until) return known.caller;
    const caller = await this.check(token);
    this.remember(token, caller.caller, Math.min(caller.expiresAt, now + VERIFIED_TOKENS.ttlMs));
    return caller.caller;
  }

  private remember(token: string, caller: Caller, until: number): void {
    if (token.length > VERIFIED_TOKENS.longestToken) return;
    this.verified.delete(token);
    // The oldest goes first: a Map iterates in insertion order.
    if (this.verified.size >= VERIFIED_TOKENS.max)
      this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { caller, until });
  }

  /** The signature and the claims, by jose; then a subject we can use. */
  private async check(token: string): Promise<{ caller: Caller; expiresAt: number }> {
    let claims: Record<string, unknown>;
    try {
      const verified =
        this.keys.kind === "secret"
          ? await jwtVerify(token, this.keys.secret, this.options)
          : await jwtVerify(token, this.keys.keys, this.options);
      claims = verified.payload as Record<string, unknown>;
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw unauthorized(
        code === "ERR_JWT_EXPIRED" ? "the token has expired" : "the token is not valid",
      );
    }
    const customerId = claims.sub;
    if (typeof customerId !== "string" || customerId === "" || customerId.length > 200)
      throw unauthorized("the token names no subject (sub)");
    const roles = Array.isArray(claims.roles) ? claims.roles : [];
    const expiresAt = typeof claims.exp === "number" ? claims.exp * 1_000 : Infinity;
    return { caller: { customerId, admin: roles.includes("admin") }, expiresAt };
  }
}

function unauthorized(reason: string): Errors.MoleculerClientError {
  return new Errors.MoleculerClientError("Unauthorized", 401, GatewayErrorCode.Unauthorized, {
    errors: { authorization: reason },
  });
}

/**
 * The authenticator the configuration asks for. No key configured: the embedded default makes
 * (once) and uses a development key under `.data`; anywhere else the gateway must not start open.
 */
export async function createAuthenticator(auth: AppConfig["auth"]): Promise<Authenticator> {
  const keys = await keysOf(auth);
  return new Authenticator(keys, auth.issuer, auth.audience);
}

async function keysOf(auth: AppConfig["auth"]): Promise<Keys> {
  // A KeyObject made once: given bytes, jose would make one for every token it checks.
  if (auth.jwtSecret)
    return { kind: "secret", secret: createSecretKey(Buffer.from(auth.jwtSecret)) };
  if (auth.jwks) {
    if (/^https?:\/\//.test(auth.jwks))
      return { kind: "jwks", keys: createRemoteJWKSet(new URL(auth.jwks)) };
    const set = JSON.parse(readFileSync(auth.jwks, "utf8")) as JSONWebKeySet;
    return { kind: "jwks", keys: createLocalJWKSet(set) };
  }
  if (auth.devKeyFile)
    return {
      kind: "secret",
      secret: createSecretKey(Buffer.from(developmentKey(auth.devKeyFile))),
    };
  throw new Error(
    "the gateway needs AUTH_JWT_SECRET (HS256, at least 32 bytes) or AUTH_JWKS (a JWKS path or URL): " +
      "only the embedded default (npm start) makes a development key of its own",
  );
}

/** The development key of the embedded default: made once, kept under .data, readable by its owner only. */
export function developmentKey(file: string): string {
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(32).toString("base64url");
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}

/** The HS256 key tokens are signed with here: AUTH_JWT_SECRET, else the development key. */
export function signingSecret(auth: AppConfig["auth"]): string | undefined {
  return auth.jwtSecret ?? (auth.devKeyFile ? developmentKey(auth.devKeyFile) : undefined);
}

/** A token for `sub` (with the admin role if asked), as `npm start` and `npm run token` print. */
export function signToken(
  auth: Pick<AppConfig["auth"], "issuer" | "audience">,
  secret: string,
  sub: string,
  options: { admin?: boolean; expiresIn?: string | number } = {},
): Promise<string> {
  return new SignJWT({ roles: options.admin ? ["admin"] : [] })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "30d")
    .sign(new TextEncoder().encode(secret));
}
