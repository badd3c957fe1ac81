import { Op, Sequelize, type WhereOptions } from "sequelize";

/**
 * Keyset paging for `GET /orders`, newest first: a page starts after the last order of the one
 * before, named by an opaque cursor (its `createdAt` and `id`), so a deep page is one index range
 * scan like the first (`orders_created_at_idx`), where an offset would skip every row before it.
 */
export interface PageCursor {
  createdAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor({ createdAt, id }: PageCursor): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString("base64url");
}

/** No order is older than this, nor newer than year 9999 (PostgreSQL refuses year 0). */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31);

/** The cursor a client sent back; undefined when it is not one this API could have written. */
export function decodeCursor(cursor: string): PageCursor | undefined {
  const [at, id, ...rest] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(at ?? "");
  const time = createdAt.getTime();
  if (rest.length > 0 || !id || !UUID.test(id) || !(time >= EARLIEST && time <= LATEST))
    return undefined;
  const decoded = { createdAt, id };
  // Only the exact text this API writes: no second spelling of the same place.
  return encodeCursor(decoded) === cursor ? decoded : undefined;
}

/** Orders after the cursor, newest first: `(created_at, id) < (cursor)`, one row comparison. */
export function afterCursor({ createdAt, id }: PageCursor): WhereOptions {
  return Sequelize.where(
    Sequelize.fn("ROW", Sequelize.col("created_at"), Sequelize.col("id")),
    Op.lt,
    Sequelize.fn("ROW", createdAt.toISOString(), id),
  );
}
