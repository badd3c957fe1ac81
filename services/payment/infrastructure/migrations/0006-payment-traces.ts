import type { Migration } from "../../../shared/db/migrator";

/**
 * The span that queued a payment for the provider (a W3C `traceparent`): the settler asks the
 * provider later, on a timer or another node, and resumes the order's trace from here.
 */
export const paymentTraces: Migration = {
  name: "0006-payment-traces",
  async up(sequelize) {
    await sequelize.query(`ALTER TABLE payments ADD COLUMN trace_parent TEXT`);
  },
};
