import type { Migration } from "../../../shared/db/migrator";

/**
 * Every order belongs to the customer who placed it. Orders from before owners keep a NULL
 * owner: only an admin sees them. A customer's `GET /orders` walks their own orders newest first
 * (keyset paging), so the index starts with the owner.
 */
export const addOrderOwners: Migration = {
  name: "0007-order-owners",
  async up(sequelize) {
    await sequelize.query(`
      ALTER TABLE orders ADD COLUMN customer_id TEXT;
      CREATE INDEX orders_customer_created_at_idx
        ON orders (customer_id, created_at DESC, id DESC);
    `);
  },
};
