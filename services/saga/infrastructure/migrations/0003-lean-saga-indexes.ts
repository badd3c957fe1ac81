import type { Migration } from "../../../shared/db/migrator";

/**
 * Each saga step updates `state`, and `order_sagas_state_idx` (which nothing reads) covered it,
 * so no step could be a HOT update: every step wrote a new entry in both indexes. Without it
 * (and with room left on each page) a step rewrites only the row. The history needs one index,
 * not two: its only reader asks for one order's transitions in order.
 */
export const leanSagaIndexes: Migration = {
  name: "0003-lean-saga-indexes",
  async up(sequelize) {
    await sequelize.query(`
      DROP INDEX order_sagas_state_idx;
      ALTER TABLE order_sagas SET (fillfactor = 70);
      ALTER TABLE saga_transitions DROP CONSTRAINT saga_transitions_pkey,
        ADD PRIMARY KEY (order_id, id);
      DROP INDEX saga_transitions_order_idx;
    `);
  },
};
