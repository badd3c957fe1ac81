import {
  createMessagingTables,
  deadLetterResolution,
  makeOutboxAQueue,
  reliableMessaging,
} from "../../../shared/db/messaging-tables.migration";
import type { Migration } from "../../../shared/db/migrator";
import { createSagas } from "./0001-create-sagas";
import { leanSagaIndexes } from "./0003-lean-saga-indexes";
import { sagaDeadlines } from "./0004-saga-deadlines";
import { sagaTraces } from "./0006-saga-traces";

/** Applied in this order; never edit a released migration, add the next one. */
export const sagaMigrations: readonly Migration[] = [
  createMessagingTables,
  createSagas,
  makeOutboxAQueue,
  leanSagaIndexes,
  sagaDeadlines,
  reliableMessaging,
  sagaTraces,
  deadLetterResolution,
];
