import type { Logger } from "../../services/shared/logger";

/** For tests of shared infrastructure: warnings are expected there, and checked by their effects. */
export const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
