import {
  OrderCancelledContract,
  OrderConfirmedContract,
  OrderCreatedContract,
  PaymentCancelledContract,
  PaymentCompletedContract,
  PaymentFailedContract,
  PaymentRefundedContract,
  type MessageContract,
} from "../../contracts";
import type { Context, ServiceBroker } from "moleculer";
import { createSequelize } from "../shared/db/sequelize";
import { consumerOf } from "../shared/messaging/consumer-runner";
import { toServiceError, unwrapForMessage } from "../shared/runtime/domain-errors";
import type { ContextService } from "../shared/runtime/context";
import { defineContextService } from "../shared/runtime/context-service";
import { platformOf } from "../shared/runtime/platform";
import { AdvanceSagaHandler } from "./application/advance-saga/advance-saga.handler";
import { StartSagaHandler } from "./application/start-saga/start-saga.handler";
import type { SagaMessage } from "./domain/saga.definition";
import { sagaNotFound } from "./domain/saga.errors";
import { sagaMigrations } from "./infrastructure/migrations";
import { defineSagaModels, type SagaRecord } from "./infrastructure/saga.models";
import { toSagaView } from "./infrastructure/saga.view-mapper";
import { recordEndedSagas, sagaGauges } from "./infrastructure/saga-metrics";
import { SagaSweeper } from "./infrastructure/saga-sweeper";
import { SagaUnitOfWork } from "./infrastructure/saga.unit-of-work";

type SagaService = ContextService<SagaUnitOfWork, SagaRecord>;

/**
 * The saga orchestrator's edge: the consumers that drive the saga, the sweeper that moves sagas
 * past their deadline, one read action.
 */
export default function createSagaService(broker: ServiceBroker) {
  const { config, metrics, tracing } = platformOf(broker);
  const timeouts = { paymentMs: config.saga.paymentTimeoutMs, replyMs: config.saga.replyTimeoutMs };
  const sequelize = createSequelize(config.databases.saga);
  const models = defineSagaModels(sequelize);
  const startSaga = new StartSagaHandler();
  const advanceSaga = new AdvanceSagaHandler();

  /** A reply that moves the saga: its contract's type is the step (saga.definition.ts). */
  const onReply = <T extends { orderId: string; reason?: string }>(
    contract: MessageContract<T>,
    trigger: SagaMessage,
  ) =>
    consumerOf(contract, async ({ payload, messageId }, work: SagaUnitOfWork) => {
      const { orderId, reason } = payload;
      const command = { orderId, trigger, reason, causationId: messageId };
      unwrapForMessage(await advanceSaga.execute(command, work.sagas(messageId)));
    });

  const consumers = [
    consumerOf(OrderCreatedContract, async ({ payload, messageId }, work: SagaUnitOfWork) => {
      const command = { orderId: payload.orderId, total: payload.total, causationId: messageId };
      unwrapForMessage(await startSaga.execute(command, work.sagas(messageId)));
    }),
    onReply(PaymentCompletedContract, "PaymentCompleted"),
    onReply(PaymentFailedContract, "PaymentFailed"),
    onReply(PaymentCancelledContract, "PaymentCancelled"),
    onReply(PaymentRefundedContract, "PaymentRefunded"),
    onReply(OrderConfirmedContract, "OrderConfirmed"),
    onReply(OrderCancelledContract, "OrderCancelled"),
  ];

  return defineContextService({
    name: "saga",
    migrations: sagaMigrations,
    readModel: models.Saga,
    unitOfWork: (sql) =>
      new SagaUnitOfWork(sql, timeouts, (ended) => recordEndedSagas(metrics, ended)),
    consumers,
    actions: {
      get: {
        params: { orderId: { type: "uuid" } },
        async handler(this: SagaService, ctx: Context<{ orderId: string }>) {
          const transitions = { model: models.SagaTransition, as: "transitions" };
          const record = await this.adapter.findOne({
            where: { orderId: ctx.params.orderId },
            include: [transitions],
            order: [[transitions, "id", "ASC"]],
          });
          if (!record) throw toServiceError(sagaNotFound(ctx.params.orderId));
          return toSagaView(record);
        },
      },
    },
    workers: (service) => [
      ...(config.metrics.enabled
        ? [
            sagaGauges({
              database: service.database,
              metrics,
              intervalMs: config.metrics.sampleIntervalMs,
              // A deadline is handled within a sweep; ten sweeps late (or 10 s) is a stuck saga.
              graceMs: Math.max(10 * config.saga.sweepIntervalMs, 10_000),
              logger: service.logger,
            }),
          ]
        : []),
      new SagaSweeper({
        sweep: (due, causationId) =>
          service.inUnitOfWork(async (work, sql) => {
            const sagas = await due(sql);
            await work.prefetch(sagas.map((saga) => saga.orderId));
            for (const { orderId, inTrace } of sagas) {
              const command = { orderId, trigger: "DeadlinePassed" as const, causationId };
              const moved = await inTrace(() =>
                advanceSaga.execute(command, work.sagas(causationId)),
              );
              if (!moved.ok) service.logger.error(`Saga ${orderId}: ${moved.error.message}`);
            }
            return sagas.length;
          }),
        batchSize: config.consumer.batchSize,
        intervalMs: config.saga.sweepIntervalMs,
        logger: service.logger,
        tracing,
      }),
    ],
  });
}
