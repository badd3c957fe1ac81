import type { ValidationRuleObject } from "fastest-validator";
import type { Schema } from "../../contracts/validator";

/** A JSON Schema (2020-12) object, as AsyncAPI and OpenAPI 3.1 take it. */
export type JsonSchema = Record<string, unknown>;

/**
 * A contract's fastest-validator schema as JSON Schema, for the AsyncAPI document: the same rules,
 * written once. Only the rules the contracts use are known; any other throws, so a new rule is
 * taught here before a contract can use it (the AsyncAPI test fails otherwise).
 */
export function toJsonSchema(schema: Schema): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, rule] of Object.entries(schema)) {
    if (name.startsWith("$$")) continue;
    const object = asRule(rule, name);
    properties[name] = ruleToJsonSchema(object, name);
    if (object.optional !== true) required.push(name);
  }
  return { type: "object", properties, required };
}

function asRule(rule: unknown, path: string): ValidationRuleObject {
  if (typeof rule !== "object" || rule === null)
    throw new Error(`${path}: only rule objects are translated to JSON Schema`);
  return rule as ValidationRuleObject;
}

const UUID_PATTERN =
  "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

const KNOWN = new Set([
  "type",
  "optional",
  "min",
  "max",
  "pattern",
  "integer",
  "positive",
  "convert",
  "strict",
  "props",
  "items",
]);

function ruleToJsonSchema(rule: ValidationRuleObject, path: string): JsonSchema {
  const unknown = Object.keys(rule).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) throw new Error(`${path}: no JSON Schema for ${unknown.join(", ")}`);
  const { type, min, max, pattern, integer, positive } = rule as Record<string, unknown>;
  switch (type) {
    case "uuid":
      // The pattern too: many validators (Ajv without ajv-formats) do not check formats.
      return { type: "string", format: "uuid", pattern: UUID_PATTERN };
    case "string":
      return {
        type: "string",
        ...(min !== undefined && { minLength: min }),
        ...(max !== undefined && { maxLength: max }),
        ...(pattern !== undefined && {
          pattern: (pattern as RegExp | string).toString().replace(/^\/|\/[a-z]*$/g, ""),
        }),
      };
    case "number":
      return {
        type: integer === true ? "integer" : "number",
        ...(positive === true && { exclusiveMinimum: 0 }),
        ...(min !== undefined && { minimum: min }),
        ...(max !== undefined && { maximum: max }),
      };
    case "object": {
      const props = (rule as { props?: Schema }).props ?? {};
      const nested = toJsonSchema(props);
      return (rule as { strict?: unknown }).strict === true ||
        (rule as { strict?: unknown }).strict === "remove"
        ? { ...nested, additionalProperties: false }
        : nested;
    }
    case "array":
      return {
        type: "array",
        ...(min !== undefined && { minItems: min }),
        ...(max !== undefined && { maxItems: max }),
        items: ruleToJsonSchema(
          asRule((rule as { items?: unknown }).items, `${path}[]`),
          `${path}[]`,
        ),
      };
    default:
      throw new Error(`${path}: no JSON Schema for type ${String(type)}`);
  }
}
