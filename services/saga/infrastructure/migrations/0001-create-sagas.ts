import type { Migration } from "../../../shared/db/migrator";

export const createSagas: Migration = {
  name: "0001-create-sagas",
  async up(sequelize) {
    await sequelize.query(`
      CREATE TABLE order_sagas (
        -- One saga per order: the orderId is the natural correlation key.
        order_id       UUID PRIMARY KEY,
        state          TEXT NOT NULL CHECK (state IN ('STARTED', 'PAYMENT_INITIATED', 'PAYMENT_COMPLETED',
                         'PAYMENT_FAILED', 'ORDER_CONFIRMED', 'ORDER_CANCELLED')),
        amount_minor   BIGINT NOT NULL CHECK (amount_minor >= 0),
        currency       CHAR(3) NOT NULL,
        failure_reason TEXT,
        created_at     TIMESTAMPTZ NOT NULL,
        updated_at     TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX order_sagas_state_idx ON order_sagas (state, updated_at);

      CREATE TABLE saga_transitions (
        id           BIGSERIAL PRIMARY KEY,
        order_id     UUID NOT NULL REFERENCES order_sagas (order_id) ON DELETE CASCADE,
        from_state   TEXT,
        to_state     TEXT NOT NULL,
        occurred_at  TIMESTAMPTZ NOT NULL,
        causation_id TEXT NOT NULL,
        note         TEXT
      );
      CREATE INDEX saga_transitions_order_idx ON saga_transitions (order_id, id);
    `);
  },
};
