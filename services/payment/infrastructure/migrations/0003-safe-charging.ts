import type { Migration } from "../../../shared/db/migrator";

/**
 * Charging in two steps (docs/adr/0011). A payment that waits for the provider (PENDING,
 * CANCELLING, REFUNDING) carries when a settler may next claim it; the claim pushes that time
 * one lease ahead and counts the attempt, so a settler that died after calling the provider is
 * followed by one that asks the provider what it answered. Settled payments leave the index.
 *
 * `simulated_provider_ledger` is the simulated provider's own books, not the payment service's
 * state: one row per idempotency key with what the provider did under it. Tests and the chaos
 * run count charges and refunds per order here.
 */
export const safeCharging: Migration = {
  name: "0003-safe-charging",
  async up(sequelize) {
    await sequelize.query(`
      ALTER TABLE payments DROP CONSTRAINT payments_status_check,
        ADD CONSTRAINT payments_status_check CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED',
          'CANCELLING', 'CANCELLED', 'REFUNDING', 'REFUNDED')),
        ADD COLUMN settle_after TIMESTAMPTZ,
        ADD COLUMN settle_attempts INTEGER NOT NULL DEFAULT 0;
      UPDATE payments SET settle_after = updated_at WHERE status = 'PENDING';
      CREATE INDEX payments_to_settle_idx ON payments (settle_after)
        WHERE settle_after IS NOT NULL;

      CREATE TABLE simulated_provider_ledger (
        idempotency_key UUID PRIMARY KEY,
        order_id        UUID NOT NULL,
        amount_minor    BIGINT NOT NULL,
        currency        CHAR(3) NOT NULL,
        -- CHARGED: money taken; DECLINED: refused; RELEASED: released before any charge.
        outcome         TEXT NOT NULL CHECK (outcome IN ('CHARGED', 'DECLINED', 'RELEASED')),
        reason          TEXT,
        reference       TEXT,
        answered_at     TIMESTAMPTZ NOT NULL,
        refunded_at     TIMESTAMPTZ,
        CHECK (refunded_at IS NULL OR outcome = 'CHARGED')
      );
      CREATE INDEX simulated_provider_ledger_order_idx ON simulated_provider_ledger (order_id);
    `);
  },
};
