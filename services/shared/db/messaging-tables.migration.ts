import type { Migration } from "./migrator";

/**
 * The tables every service needs for reliable messaging, created by each service's first
 * migration in its own database:
 * - outbox: messages written in the same transaction as the state change, published by the relay;
 * - inbox: ids of messages already handled, so a redelivered message is skipped;
 * - dead_letters: what could not be processed, with the error, kept for listing and replay.
 */
export const createMessagingTables: Migration = {
  name: "0000-messaging-tables",
  async up(sequelize) {
    await sequelize.query(`
      CREATE TABLE outbox (
        id            BIGSERIAL PRIMARY KEY,
        message_id    UUID NOT NULL UNIQUE,
        topic         TEXT NOT NULL,
        message_key   TEXT NOT NULL,
        message_type  TEXT NOT NULL,
        envelope      JSONB NOT NULL,
        created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
        sent_at       TIMESTAMPTZ,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT
      );
      CREATE INDEX outbox_pending_idx ON outbox (id) WHERE sent_at IS NULL;

      CREATE TABLE inbox (
        message_id    UUID PRIMARY KEY,
        topic         TEXT NOT NULL,
        message_type  TEXT NOT NULL,
        processed_at  TIMESTAMPTZ NOT NULL DEFAULT now()
      );

      CREATE TABLE dead_letters (
        id               BIGSERIAL PRIMARY KEY,
        consumer_group   TEXT NOT NULL,
        source_topic     TEXT NOT NULL,
        source_partition INTEGER NOT NULL,
        source_offset    TEXT NOT NULL,
        message_key      TEXT,
        -- The record exactly as it arrived: it may not be text at all (that may be why it is here).
        value            BYTEA,
        headers          JSONB NOT NULL DEFAULT '{}',
        error_code       TEXT NOT NULL,
        error_message    TEXT NOT NULL,
        attempts         INTEGER NOT NULL,
        failed_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
        replayed_at      TIMESTAMPTZ
      );
      CREATE INDEX dead_letters_failed_at_idx ON dead_letters (failed_at DESC);
      -- A record redelivered after it was parked (the DLT publish failed) is not parked twice.
      CREATE UNIQUE INDEX dead_letters_source_idx
        ON dead_letters (consumer_group, source_topic, source_partition, source_offset);
    `);
  },
};

/**
 * The outbox becomes a queue (docs/adr/0007): a row is claimed with a lease while the relay
 * publishes it (no transaction held open), then deleted. Only pending rows remain, so neither
 * a `sent_at` column nor a partial index over pending rows is needed, and a claim changes no
 * indexed column: with room left on each page (fillfactor) it is a HOT update.
 */
export const makeOutboxAQueue: Migration = {
  name: "0002-outbox-queue",
  async up(sequelize) {
    await sequelize.query(`
      ALTER TABLE outbox ADD COLUMN claimed_by TEXT, ADD COLUMN claimed_until TIMESTAMPTZ;
      DELETE FROM outbox WHERE sent_at IS NOT NULL;
      DROP INDEX outbox_pending_idx;
      ALTER TABLE outbox DROP COLUMN sent_at;
      ALTER TABLE outbox SET (fillfactor = 50);
    `);
  },
};

/**
 * What keeps one bad record from blocking a service, and the tables from growing forever
 * (docs/adr/0013):
 * - outbox.suspect: the row was in a batch the broker refused for good; it is published alone.
 * - outbox.parked_at: a suspect the broker refused on its own (too large, no such topic, no
 *   permission) is parked with its error, and the rest flows on; later rows of its key wait with
 *   it, found through a partial index that holds only parked rows. Claims change no column of
 *   it, so they stay HOT updates.
 * - dead_letters.dlt_error: the DLT record could not be published; the row is the dead letter.
 * - inbox: a BRIN index on processed_at (ids arrive in time order, so a few pages describe the
 *   whole table) lets the janitor delete old ids in small batches without a B-tree to maintain
 *   on every insert.
 */
export const reliableMessaging: Migration = {
  name: "0005-reliable-messaging",
  async up(sequelize) {
    await sequelize.query(`
      ALTER TABLE outbox ADD COLUMN suspect BOOLEAN NOT NULL DEFAULT false,
        ADD COLUMN parked_at TIMESTAMPTZ;
      CREATE INDEX outbox_parked_key_idx ON outbox (message_key, id) WHERE parked_at IS NOT NULL;
      ALTER TABLE dead_letters ADD COLUMN dlt_error TEXT;
      CREATE INDEX inbox_processed_at_brin ON inbox USING brin (processed_at);
    `);
  },
};

/**
 * Operators act on dead letters through the admin API, and who did what is kept:
 * - replayed_by, replay_count: the last replay's actor, and how often it was sent back (a row
 *   replayed before this migration counts as once);
 * - resolved_at, resolved_by, resolution: closed by an operator (handled by hand, or not worth
 *   replaying), with an optional note; a resolved dead letter is never replayed;
 * - (source_topic, id DESC): one topic's listing, newest first, and a topic's replay.
 */
export const deadLetterResolution: Migration = {
  name: "0008-dead-letter-resolution",
  async up(sequelize) {
    await sequelize.query(`
      ALTER TABLE dead_letters ADD COLUMN replayed_by TEXT,
        ADD COLUMN replay_count INTEGER NOT NULL DEFAULT 0,
        ADD COLUMN resolved_at TIMESTAMPTZ,
        ADD COLUMN resolved_by TEXT,
        ADD COLUMN resolution TEXT;
      UPDATE dead_letters SET replay_count = 1 WHERE replayed_at IS NOT NULL;
      CREATE INDEX dead_letters_topic_idx ON dead_letters (source_topic, id DESC);
    `);
  },
};

/** The messaging migrations a test database needs without any context's own tables. */
export const messagingMigrations: readonly Migration[] = [
  createMessagingTables,
  makeOutboxAQueue,
  reliableMessaging,
  deadLetterResolution,
];
