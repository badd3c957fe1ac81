import {
  createMessagingTables,
  makeOutboxAQueue,
  reliableMessaging,
} from "../../../shared/db/messaging-tables.migration";
import type { Migration } from "../../../shared/db/migrator";
import { createOrders } from "./0001-create-orders";

/** Applied in this order; never edit a released migration, add the next one. */
export const orderMigrations: readonly Migration[] = [
  createMessagingTables,
  createOrders,
  makeOutboxAQueue,
  reliableMessaging,
];
