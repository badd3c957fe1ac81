import { loadConfig } from "./services/shared/config/config";
import { createBrokerOptions } from "./services/shared/runtime/broker-options";

/**
 * Broker configuration for `moleculer-runner` (e.g. `npm exec -- moleculer-runner --config
 * dist/moleculer.config.js dist/services/order/order.service.js`). `npm start`, `npm run node`
 * and `npm run repl` build the same options through main.ts.
 * Every setting comes from the environment: see .env.example.
 */
export default createBrokerOptions(loadConfig());
