import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { Errors } from "moleculer";
import { GatewayErrorCode } from "./http-errors";
import { methodsAllowedOn } from "./routes";

/**
 * On every answer, whichever path writes it (an action, an error, a 404, a 405): the API serves
 * JSON to programs (and one plain page, /docs, without script or style), so nothing may sniff,
 * frame, cache or embed it.
 */
export const SECURITY_HEADERS: ReadonlyArray<[string, string]> = [
  ["X-Content-Type-Options", "nosniff"],
  ["Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"],
  ["X-Frame-Options", "DENY"],
  ["Referrer-Policy", "no-referrer"],
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Cache-Control", "no-store"],
];

/**
 * What every request gets before moleculer-web's routing (which answers OPTIONS like GET, and any
 * unknown method with a 404): the security headers; OPTIONS is a 204 with `Allow`; HEAD becomes
 * GET (Node drops the body of a HEAD response); a method a known path does not serve is a 405
 * with `Allow`, in the error shape (`sendError`). True when the request has been answered.
 */
export function answeredBeforeRouting(
  req: IncomingMessage,
  res: ServerResponse,
  sendError: (error: Error) => void,
): boolean {
  for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
  const allowed = methodsAllowedOn(req.url);
  if (allowed.length > 0 && !allowed.includes(req.method ?? "")) {
    res.setHeader("Allow", allowed.join(", "));
    sendError(
      new Errors.MoleculerClientError("Method not allowed", 405, GatewayErrorCode.MethodNotAllowed),
    );
    return true;
  }
  if (req.method === "OPTIONS") {
    res.writeHead(204, { Allow: allowed.join(", ") });
    res.end();
    return true;
  }
  if (req.method === "HEAD") req.method = "GET";
  return false;
}

/**
 * A request Node cannot parse (headers over its 16 KB limit, a broken request line or chunked
 * encoding) never reaches the gateway; Node would answer with a bare status line. It gets the
 * error shape and the security headers too, and the connection is closed.
 */
export function answerMalformedRequest(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  const status =
    error.code === "HPE_HEADER_OVERFLOW"
      ? 431
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? 408
        : 400;
  const body = JSON.stringify({
    status,
    message: STATUS_CODES[status],
    timestamp: new Date().toISOString(),
  });
  const headers = [
    ["Content-Type", "application/json; charset=utf-8"],
    ["Content-Length", String(Buffer.byteLength(body))],
    ["Connection", "close"],
    ...SECURITY_HEADERS,
  ].map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers.join("")}\r\n${body}`);
}
