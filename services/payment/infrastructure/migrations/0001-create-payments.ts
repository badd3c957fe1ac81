import type { Migration } from "../../../shared/db/migrator";

export const createPayments: Migration = {
  name: "0001-create-payments",
  async up(sequelize) {
    await sequelize.query(`
      CREATE TABLE payments (
        id                 UUID PRIMARY KEY,
        -- One payment per order, whatever the number of InitiatePayment deliveries.
        order_id           UUID NOT NULL UNIQUE,
        status             TEXT NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED')),
        amount_minor       BIGINT NOT NULL CHECK (amount_minor >= 0),
        currency           CHAR(3) NOT NULL,
        provider_reference TEXT,
        failure_reason     TEXT,
        created_at         TIMESTAMPTZ NOT NULL,
        updated_at         TIMESTAMPTZ NOT NULL
      );
    `);
  },
};
