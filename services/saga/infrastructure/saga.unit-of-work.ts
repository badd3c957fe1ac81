import { AggregateUnitOfWork } from "../../shared/db/aggregate-unit-of-work";
import { flushStatement, statement } from "../../shared/db/sql-database";
import { storedMoney } from "../../shared/db/stored-money";
import { insertOutboxRows } from "../../shared/messaging/outbox";
import { OrderSaga } from "../domain/saga.aggregate";
import type { OrderSagaRepository } from "../domain/saga.repository.port";
import { deadlineOf, type SagaTimeouts } from "../domain/saga.definition";
import { FINAL_SAGA_STATES, type SagaState } from "../domain/saga-state";
import type { SqlExecutor } from "../../shared/db/sql-database";
import { toOutboxMessage } from "./saga-messages.mapper";
import type { EndedSaga } from "./saga-metrics";

interface SagaRow {
  order_id: string;
  state: string;
  amount_minor: number;
  currency: string;
  failure_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * What the flush writes: the saga, when the sweeper is to look at it (null: finished), and the
 * span that moved it, which the sweeper's span continues.
 */
interface StoredSagaRow extends SagaRow {
  deadline_at: Date | null;
  trace_parent: string | null;
}

const LOAD = statement(
  "saga.load",
  `SELECT order_id, state, amount_minor, currency, failure_reason, created_at, updated_at
   FROM order_sagas WHERE order_id = ANY($1::uuid[]) ORDER BY order_id FOR UPDATE`,
);
/** The sagas ($1), their new transitions ($2) and their commands ($3), in one round trip. */
const FLUSH = flushStatement(
  "saga.flush",
  [
    `INSERT INTO order_sagas (order_id, state, amount_minor, currency, failure_reason, created_at,
     updated_at, deadline_at, trace_parent)
   SELECT order_id, state, amount_minor, currency, failure_reason, created_at, updated_at,
     deadline_at, trace_parent
   FROM json_to_recordset($1::json) AS s(order_id uuid, state text, amount_minor bigint,
     currency text, failure_reason text, created_at timestamptz, updated_at timestamptz,
     deadline_at timestamptz, trace_parent text)
   ON CONFLICT (order_id) DO UPDATE
   SET state = EXCLUDED.state, failure_reason = EXCLUDED.failure_reason,
     updated_at = EXCLUDED.updated_at, deadline_at = EXCLUDED.deadline_at,
     trace_parent = COALESCE(EXCLUDED.trace_parent, order_sagas.trace_parent)`,
    // Checked against the sagas at the statement's end: the sibling CTE has inserted them by then.
    `INSERT INTO saga_transitions (order_id, from_state, to_state, occurred_at, causation_id, note)
   SELECT order_id, from_state, to_state, occurred_at, causation_id, note
   FROM json_to_recordset($2::json) AS t(order_id uuid, from_state text, to_state text,
     occurred_at timestamptz, causation_id text, note text)`,
  ],
  insertOutboxRows("$3"),
);

/**
 * The saga context's unit of work: sagas by orderId, their new transitions (the history) and
 * the commands they queued (the outbox), written at flush in one statement for the whole batch.
 */
export class SagaUnitOfWork extends AggregateUnitOfWork<OrderSaga> {
  private transitions: object[] = [];
  private readonly ended: EndedSaga[] = [];

  constructor(
    sql: SqlExecutor,
    private readonly timeouts: SagaTimeouts,
    /** Told, after the commit, which sagas this transaction brought to a final state. */
    private readonly onEnded: (sagas: readonly EndedSaga[]) => void = () => undefined,
  ) {
    super(sql);
  }

  committed(): void {
    if (this.ended.length > 0) this.onEnded(this.ended);
  }

  /** The repository a use case sees while handling the message (or request) `causationId`. */
  sagas(causationId: string): OrderSagaRepository {
    return {
      findByOrderId: (orderId) => this.find(orderId),
      add: async (saga) => this.collect(saga, causationId),
      save: async (saga) => this.collect(saga, causationId),
    };
  }

  private collect(saga: OrderSaga, causationId: string): void {
    this.markDirty(saga.orderId, saga);
    for (const transition of saga.pullTransitions()) {
      if (FINAL_SAGA_STATES.includes(transition.to))
        this.ended.push({
          state: transition.to,
          failureReason: saga.failureReason,
          startedAt: saga.createdAt,
          endedAt: transition.at,
        });
      this.transitions.push({
        order_id: saga.orderId,
        from_state: transition.from,
        to_state: transition.to,
        occurred_at: transition.at,
        causation_id: transition.causationId,
        note: transition.note,
      });
    }
    this.queue(
      saga.pullMessages().map((command) => toOutboxMessage(command, causationId, saga.updatedAt)),
    );
  }

  protected async load(orderIds: readonly string[]): Promise<Map<string, OrderSaga>> {
    const rows = await this.sql.query<SagaRow>(LOAD, [orderIds]);
    return new Map(rows.map((row) => [row.order_id, toDomain(row)]));
  }

  protected write(sagas: OrderSaga[], outbox: readonly object[]): Promise<number[]> {
    const transitions = this.transitions;
    this.transitions = [];
    const rows = sagas.map((saga) => toRow(saga, this.timeouts, this.traceparentOf(saga.orderId)));
    return this.flushWith(FLUSH, [rows, transitions, outbox]);
  }
}

function toRow(saga: OrderSaga, timeouts: SagaTimeouts, traceparent: string | null): StoredSagaRow {
  return {
    deadline_at: deadlineOf(saga.state, saga.updatedAt, timeouts),
    trace_parent: traceparent,
    order_id: saga.orderId,
    state: saga.state,
    amount_minor: saga.amount.minor,
    currency: saga.amount.currency,
    failure_reason: saga.failureReason,
    created_at: saga.createdAt,
    updated_at: saga.updatedAt,
  };
}

function toDomain(row: SagaRow): OrderSaga {
  return OrderSaga.restore({
    orderId: row.order_id,
    state: row.state as SagaState,
    amount: storedMoney(row.amount_minor, row.currency, `saga ${row.order_id}`),
    failureReason: row.failure_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}
