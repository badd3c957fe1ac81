import { statement, type SqlExecutor, type Statement } from "../db/sql-database";

/** An outbox row a relay has claimed: it publishes it, then deletes it. */
export interface ClaimedRow {
  id: number;
  message_id: string;
  topic: string;
  message_key: string;
  message_type: string;
  /** The stored JSON as text: published as it is, never parsed and serialised again. */
  envelope: string;
  /** A publish that included it was refused for good: it is published alone from now on. */
  suspect: boolean;
  /** The span that wrote it (the envelope's `traceparent`), read without parsing the envelope. */
  traceparent: string | null;
  /** When its transaction wrote it: the relay's span starts there, so it shows the wait. */
  created_at: Date;
}

/** A claim not settled by then (its relay died) is taken over by another relay. */
export const CLAIM_LEASE_SECONDS = 60;

const RETURNING = `RETURNING id, message_id, topic, message_key, message_type,
  envelope::text AS envelope, suspect, envelope->>'traceparent' AS traceparent, created_at`;

/**
 * Each claim also deletes the rows acknowledged since the last one ($4): a relay under steady
 * load costs one round trip per batch. (Those rows are claimed, so the claim cannot pick them;
 * were a lease to run out first, a row would at worst be published once more, and the
 * consumer's inbox drops it.)
 */
const claim = (name: string, which: string) =>
  statement(
    name,
    `WITH sent AS (DELETE FROM outbox WHERE id = ANY($4::bigint[]))
     UPDATE outbox SET claimed_by = $2, claimed_until = now() + make_interval(secs => $3)
     WHERE id IN (
       SELECT id FROM outbox
       WHERE (claimed_until IS NULL OR claimed_until < now()) AND parked_at IS NULL
         -- A key's later messages wait behind its parked one: consumers see them in order.
         AND NOT EXISTS (SELECT 1 FROM outbox parked WHERE parked.parked_at IS NOT NULL
           AND parked.message_key = outbox.message_key AND parked.id < outbox.id)
         ${which}
       FOR UPDATE SKIP LOCKED)
     ${RETURNING}`,
  );

/** Rows whose writers announced their ids: primary-key lookups, whatever the outbox's history. */
const CLAIM_ANNOUNCED = claim("outbox.claim-announced", "AND id = ANY($1::bigint[])");
/**
 * Any unclaimed rows, oldest first: the poll's search for what nobody announced (rows left by a
 * crashed process, by another instance, or released after a failed publish). Its cost grows
 * with the deleted rows autovacuum has not removed yet, so only the poll runs it.
 */
const CLAIM_PENDING = claim("outbox.claim-pending", "ORDER BY id LIMIT $1");
const DELETE_SENT = statement("outbox.sent", "DELETE FROM outbox WHERE id = ANY($1::bigint[])");
/**
 * $3: the broker refused the batch for good, so each of its rows is a suspect from now on.
 * Only while the rows are still this node's ($4): a publish that outlived its lease must not
 * take back a claim another relay has made since.
 */
const RELEASE_FAILED = statement(
  "outbox.release",
  `UPDATE outbox SET claimed_by = NULL, claimed_until = NULL,
     failed_attempts = failed_attempts + 1, last_error = $2, suspect = suspect OR $3
   WHERE id = ANY($1::bigint[]) AND claimed_by = $4`,
);
const PARK = statement(
  "outbox.park",
  `UPDATE outbox SET parked_at = now(), claimed_by = NULL, claimed_until = NULL,
     failed_attempts = failed_attempts + 1, last_error = $2
   WHERE id = $1 AND claimed_by = $3`,
);
const COUNT_PARKED = statement(
  "outbox.count-parked",
  "SELECT count(*)::int AS parked FROM outbox WHERE parked_at IS NOT NULL",
);
/** Deletes the acknowledged rows ($2) and releases every other claim of this node. */
const RELEASE_OWN = statement(
  "outbox.release-own",
  `WITH sent AS (DELETE FROM outbox WHERE id = ANY($2::bigint[]))
   UPDATE outbox SET claimed_by = NULL, claimed_until = NULL
   WHERE claimed_by = $1 AND NOT (id = ANY($2::bigint[]))
   RETURNING id`,
);

/** The relay's statements against one service's outbox; `owner` names the claiming node. */
export class OutboxClaims {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly owner: string,
  ) {}

  /** Claims these rows (if still there and unclaimed) and deletes the `acknowledged` ones. */
  announced(ids: readonly number[], acknowledged: readonly number[]): Promise<ClaimedRow[]> {
    return this.run(CLAIM_ANNOUNCED, ids, acknowledged);
  }

  /** Claims up to `limit` unclaimed rows, oldest first, and deletes the `acknowledged` ones. */
  pending(limit: number, acknowledged: readonly number[]): Promise<ClaimedRow[]> {
    return this.run(CLAIM_PENDING, limit, acknowledged);
  }

  /** Published and acknowledged: the row's work is done. */
  async deleteSent(ids: readonly number[]): Promise<void> {
    if (ids.length > 0) await this.sql.query(DELETE_SENT, [ids]);
  }

  /** A publish failed: the rows are claimable again; `refused` marks them suspects. */
  async releaseFailed(ids: readonly number[], error: Error, refused: boolean): Promise<void> {
    await this.sql.query(RELEASE_FAILED, [ids, error.message.slice(0, 1000), refused, this.owner]);
  }

  /** The broker refused this row alone, for good: it stays, with its error, out of the flow. */
  async park(id: number, error: Error): Promise<void> {
    await this.sql.query(PARK, [id, error.message.slice(0, 1000), this.owner]);
  }

  /** Rows parked and waiting for an operator (an alertable count). */
  async countParked(): Promise<number> {
    const [row] = await this.sql.query<{ parked: number }>(COUNT_PARKED);
    return row?.parked ?? 0;
  }

  /**
   * With nothing of this node in flight (at start: its previous run may have died with rows
   * claimed, and nobody else holds its name; or after a failed statement): deletes what it
   * published (`acknowledged`) and releases whatever else it still holds, in one statement; the
   * number of rows released.
   */
  async releaseOwn(acknowledged: readonly number[] = []): Promise<number> {
    return (await this.sql.query(RELEASE_OWN, [this.owner, acknowledged])).length;
  }

  private async run(
    claimStatement: Statement,
    which: unknown,
    acknowledged: readonly number[],
  ): Promise<ClaimedRow[]> {
    const rows = await this.sql.query<ClaimedRow>(claimStatement, [
      which,
      this.owner,
      CLAIM_LEASE_SECONDS,
      acknowledged,
    ]);
    return rows.sort((a, b) => a.id - b.id);
  }
}
