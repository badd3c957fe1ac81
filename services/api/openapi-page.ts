import { OPENAPI } from "./openapi";

/**
 * `GET /docs`: the OpenAPI document as a page a person reads, written from the same object the
 * JSON is (no script, no style sheet, nothing fetched: the gateway's CSP allows none).
 */
export function openApiPage(): string {
  const operations = Object.entries(OPENAPI.paths).flatMap(([path, methods]) =>
    Object.entries(methods as Record<string, Operation>).map(([method, operation]) =>
      operationSection(method.toUpperCase(), path, operation),
    ),
  );
  const schemas = Object.entries(OPENAPI.components.schemas).map(
    ([name, schema]) =>
      `<h3 id="${name}">${name}</h3><pre>${escape(JSON.stringify(schema, null, 2))}</pre>`,
  );
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>${escape(OPENAPI.info.title)} API</title></head><body>`,
    `<h1>${escape(OPENAPI.info.title)} API ${escape(OPENAPI.info.version)}</h1>`,
    `<p>${escape(OPENAPI.info.description)}</p>`,
    '<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>',
    "<h2>Routes</h2>",
    ...operations,
    "<h2>Schemas</h2>",
    ...schemas,
    "</body></html>",
  ].join("\n");
}

interface Operation {
  summary: string;
  parameters?: ReadonlyArray<{
    name: string;
    in: string;
    required?: boolean;
    description?: string;
  }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}

function operationSection(method: string, path: string, operation: Operation): string {
  const parameters = (operation.parameters ?? []).map(
    (parameter) =>
      `<li><code>${escape(parameter.name)}</code> (${parameter.in}${parameter.required ? ", required" : ""})${parameter.description ? `: ${escape(parameter.description)}` : ""}</li>`,
  );
  const body = operation.requestBody
    ? `<p>Body: ${schemaName(Object.values(operation.requestBody.content)[0]?.schema)}</p>`
    : "";
  const responses = Object.entries(operation.responses).map(
    ([status, response]) =>
      `<li><b>${status}</b> ${escape(response.description)}${response.content ? `: ${schemaName(Object.values(response.content)[0]?.schema)}` : ""}</li>`,
  );
  return [
    `<h3><code>${method} ${escape(path)}</code></h3>`,
    `<p>${escape(operation.summary)}</p>`,
    parameters.length > 0 ? `<p>Parameters:</p><ul>${parameters.join("")}</ul>` : "",
    body,
    `<ul>${responses.join("")}</ul>`,
  ].join("\n");
}

function schemaName(schema: unknown): string {
  const reference = (schema as { $ref?: string } | undefined)?.$ref;
  if (!reference) return "JSON";
  const name = reference.split("/").at(-1)!;
  return `<a href="#${name}">${name}</a>`;
}

const escape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
