import type { Migration } from "../../../shared/db/migrator";

/**
 * The span that last moved the saga (a W3C `traceparent`): the sweeper that times it out later
 * resumes the order's trace from here.
 */
export const sagaTraces: Migration = {
  name: "0006-saga-traces",
  async up(sequelize) {
    await sequelize.query(`ALTER TABLE order_sagas ADD COLUMN trace_parent TEXT`);
  },
};
