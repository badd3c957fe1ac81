/**
 * `npm run token -- --sub alice [--admin] [--expires 30d]`: prints a bearer token for `alice`
 * (with the admin role if asked) as its last line, signed with AUTH_JWT_SECRET when it is set,
 * else with the embedded default's development key (.data/auth/dev-jwt-secret), with the
 * issuer and audience the gateway checks (AUTH_ISSUER, AUTH_AUDIENCE).
 */
import { parseArgs } from "node:util";
import { signingSecret, signToken } from "../services/api/auth";
import { loadConfig } from "../services/shared/config/config";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: "string" },
      admin: { type: "boolean", default: false },
      expires: { type: "string", default: "30d" },
    },
  });
  if (!values.sub)
    throw new Error("usage: npm run token -- --sub <customer> [--admin] [--expires 30d]");
  const { auth } = loadConfig();
  if (auth.jwks)
    throw new Error("AUTH_JWKS is set: tokens come from the identity provider that holds its keys");
  const secret = signingSecret(auth);
  if (!secret)
    throw new Error(
      "set AUTH_JWT_SECRET (or run the embedded default once, which makes a development key)",
    );
  console.log(
    await signToken(auth, secret, values.sub, { admin: values.admin, expiresIn: values.expires }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
