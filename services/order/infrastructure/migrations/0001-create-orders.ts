import type { Migration } from "../../../shared/db/migrator";

export const createOrders: Migration = {
  name: "0001-create-orders",
  async up(sequelize) {
    await sequelize.query(`
      CREATE TABLE orders (
        id                  UUID PRIMARY KEY,
        status              TEXT NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'CANCELLED')),
        currency            CHAR(3) NOT NULL,
        total_minor         BIGINT NOT NULL CHECK (total_minor >= 0),
        cancellation_reason TEXT,
        idempotency_key     TEXT UNIQUE,
        request_hash        TEXT,
        created_at          TIMESTAMPTZ NOT NULL,
        updated_at          TIMESTAMPTZ NOT NULL
      );
      -- GET /orders: newest first, optionally filtered by status.
      CREATE INDEX orders_created_at_idx ON orders (created_at DESC, id DESC);
      CREATE INDEX orders_status_created_at_idx ON orders (status, created_at DESC);

      CREATE TABLE order_items (
        order_id         UUID NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        line_no          INTEGER NOT NULL,
        product_id       TEXT NOT NULL,
        quantity         INTEGER NOT NULL CHECK (quantity > 0),
        unit_price_minor BIGINT NOT NULL CHECK (unit_price_minor > 0),
        PRIMARY KEY (order_id, line_no)
      );
    `);
  },
};
