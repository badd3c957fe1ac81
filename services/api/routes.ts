/** Every route the gateway serves, and the action behind it. Nothing else is reachable. */
export const ALIASES = {
  "POST /orders": "order.create",
  "GET /orders": "order.list",
  "GET /orders/:orderId": "order.get",
  "POST /orders/:orderId/cancel": "order.cancel",
  "GET /orders/:orderId/saga": "saga.get",
  "GET /orders/:orderId/payment": "payment.byOrder",
  "GET /admin/dead-letters": "api.deadLetters",
  "POST /admin/dead-letters/:service/replay": "api.replayDeadLetters",
  "POST /admin/dead-letters/:service/:id/replay": "api.replayDeadLetter",
  "POST /admin/dead-letters/:service/:id/resolve": "api.resolveDeadLetter",
  "GET /health/live": "api.live",
  "GET /health/ready": "api.ready",
  "GET /openapi.json": "api.openapi",
  "GET /asyncapi.json": "api.asyncapi",
  "GET /docs": "api.docs",
};

/** Each route as a pattern, so a request is counted under its route, never under its own URL. */
const ROUTE_PATTERNS = Object.keys(ALIASES).map((route) => {
  const [method, path] = route.split(" ") as [string, string];
  return { route, method, pattern: new RegExp(`^${path.replace(/:[^/]+/g, "[^/]+")}/?$`) };
});

const pathOf = (url: string | undefined) => (url ?? "").split("?")[0]!;

/** The route a request matched ("GET /orders/:orderId"), or "unmatched". */
export function routeOf(method: string | undefined, url: string | undefined): string {
  const path = pathOf(url);
  return (
    ROUTE_PATTERNS.find((route) => route.method === method && route.pattern.test(path))?.route ??
    "unmatched"
  );
}

/**
 * The methods a path answers (`Allow`): its routes' methods, HEAD wherever GET is, and OPTIONS;
 * none for a path no route has (a 404, whatever the method).
 */
export function methodsAllowedOn(url: string | undefined): string[] {
  const path = pathOf(url);
  const methods = new Set(
    ROUTE_PATTERNS.filter((route) => route.pattern.test(path)).map((route) => route.method),
  );
  if (methods.size === 0) return [];
  if (methods.has("GET")) methods.add("HEAD");
  methods.add("OPTIONS");
  return [...methods].sort();
}
