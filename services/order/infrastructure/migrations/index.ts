import {
  createMessagingTables,
  deadLetterResolution,
  makeOutboxAQueue,
  reliableMessaging,
} from "../../../shared/db/messaging-tables.migration";
import type { Migration } from "../../../shared/db/migrator";
import { createOrders } from "./0001-create-orders";
import { addOrderOwners } from "./0007-order-owners";

/** Applied in this order; never edit a released migration, add the next one. */
export const orderMigrations: readonly Migration[] = [
  createMessagingTables,
  createOrders,
  makeOutboxAQueue,
  reliableMessaging,
  addOrderOwners,
  deadLetterResolution,
];
