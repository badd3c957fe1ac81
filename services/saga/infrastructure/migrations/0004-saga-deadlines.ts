import type { Migration } from "../../../shared/db/migrator";

/**
 * Every waiting state has a deadline (docs/adr/0011); the sweeper finds the sagas past theirs
 * through a partial index that holds only unfinished sagas. Sagas already waiting get the
 * default payment deadline from their last change.
 */
export const sagaDeadlines: Migration = {
  name: "0004-saga-deadlines",
  async up(sequelize) {
    await sequelize.query(`
      ALTER TABLE order_sagas DROP CONSTRAINT order_sagas_state_check,
        ADD CONSTRAINT order_sagas_state_check CHECK (state IN ('STARTED', 'PAYMENT_INITIATED',
          'PAYMENT_COMPLETED', 'PAYMENT_FAILED', 'PAYMENT_TIMED_OUT', 'ORDER_CONFIRMED',
          'ORDER_CANCELLED', 'COMPENSATING', 'COMPENSATED')),
        ADD COLUMN deadline_at TIMESTAMPTZ;
      UPDATE order_sagas SET deadline_at = updated_at + interval '30 seconds'
        WHERE state NOT IN ('ORDER_CONFIRMED', 'ORDER_CANCELLED');
      CREATE INDEX order_sagas_deadline_idx ON order_sagas (deadline_at)
        WHERE deadline_at IS NOT NULL;
    `);
  },
};
