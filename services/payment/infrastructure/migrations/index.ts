import {
  createMessagingTables,
  deadLetterResolution,
  makeOutboxAQueue,
  reliableMessaging,
} from "../../../shared/db/messaging-tables.migration";
import type { Migration } from "../../../shared/db/migrator";
import { createPayments } from "./0001-create-payments";
import { safeCharging } from "./0003-safe-charging";
import { paymentTraces } from "./0006-payment-traces";

/** Applied in this order; never edit a released migration, add the next one. */
export const paymentMigrations: readonly Migration[] = [
  createMessagingTables,
  createPayments,
  makeOutboxAQueue,
  safeCharging,
  reliableMessaging,
  paymentTraces,
  deadLetterResolution,
];
