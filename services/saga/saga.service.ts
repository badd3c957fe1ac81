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
import type { DomainError } from "../shared/domain/domain-error";
import type { Result } from "../shared/domain/result";
import { consumerOf, type MessageConsumer } from "../shared/messaging/consumer-runner";
import { toServiceError, unwrapForMessage } from "../shared/runtime/domain-errors";
import { defineContextService, type ContextService } from "../shared/runtime/context-service";
import { platformOf } from "../shared/runtime/platform";
import { RecordOrderOutcomeHandler } from "./application/record-order-outcome/record-order-outcome.handler";
import { RecordPaymentOutcomeHandler } from "./application/record-payment-outcome/record-payment-outcome.handler";
import { PassDeadlineHandler } from "./application/pass-deadline/pass-deadline.handler";
import { StartSagaHandler } from "./application/start-saga/start-saga.handler";
import type { StepOutcome } from "./domain/order-saga.aggregate";
import type { OrderSagaRepository } from "./domain/order-saga.repository.port";
import { sagaNotFound } from "./domain/saga.errors";
import { sagaMigrations } from "./infrastructure/migrations";
import { defineSagaModels, type SagaRecord } from "./infrastructure/saga.models";
import { toSagaView } from "./infrastructure/saga.view-mapper";
import { SagaSweeper } from "./infrastructure/saga-sweeper";
import { SagaUnitOfWork } from "./infrastructure/saga.unit-of-work";

type SagaService = ContextService<SagaUnitOfWork, SagaRecord>;

/** A use case that moves a saga one step. */
interface SagaStepHandler {
  execute(input: never, sagas: OrderSagaRepository): Promise<Result<StepOutcome, DomainError>>;
}

/**
 * The saga orchestrator's edge: the consumers that drive the saga, the sweeper that moves sagas
 * past their deadline, one read action.
 */
export default function createSagaService(broker: ServiceBroker) {
  const { config } = platformOf(broker);
  const timeouts = { paymentMs: config.saga.paymentTimeoutMs, replyMs: config.saga.replyTimeoutMs };
  const sequelize = createSequelize(config.databases.saga);
  const models = defineSagaModels(sequelize);
  const startSaga = new StartSagaHandler();
  const recordPayment = new RecordPaymentOutcomeHandler();
  const recordOrder = new RecordOrderOutcomeHandler();
  const passDeadline = new PassDeadlineHandler();

  /** A message that moves the saga one step: its fields, as the use case's input. */
  const onMessage = <T, H extends SagaStepHandler>(
    contract: MessageContract<T>,
    handler: H,
    inputOf: (payload: T, causationId: string) => Parameters<H["execute"]>[0],
  ) =>
    consumerOf(contract, async ({ payload, messageId }, work: SagaUnitOfWork) => {
      unwrapForMessage(await handler.execute(inputOf(payload, messageId), work.sagas(messageId)));
    });

  const consumers: MessageConsumer<SagaUnitOfWork>[] = [
    onMessage(OrderCreatedContract, startSaga, ({ orderId, total }, causationId) => ({
      orderId,
      total,
      causationId,
    })),
    onMessage(PaymentCompletedContract, recordPayment, ({ orderId }, causationId) => ({
      orderId,
      causationId,
      result: "completed" as const,
    })),
    onMessage(PaymentFailedContract, recordPayment, ({ orderId, reason }, causationId) => ({
      orderId,
      causationId,
      result: "failed" as const,
      reason,
    })),
    onMessage(PaymentCancelledContract, recordPayment, ({ orderId }, causationId) => ({
      orderId,
      causationId,
      result: "released" as const,
      refunded: false,
    })),
    onMessage(PaymentRefundedContract, recordPayment, ({ orderId }, causationId) => ({
      orderId,
      causationId,
      result: "released" as const,
      refunded: true,
    })),
    onMessage(OrderConfirmedContract, recordOrder, ({ orderId }, causationId) => ({
      orderId,
      causationId,
      confirmed: true as const,
    })),
    onMessage(OrderCancelledContract, recordOrder, ({ orderId, reason }, causationId) => ({
      orderId,
      causationId,
      confirmed: false as const,
      reason,
    })),
  ];

  return defineContextService({
    name: "saga",
    migrations: sagaMigrations,
    readModel: models.Saga,
    unitOfWork: (sql) => new SagaUnitOfWork(sql, timeouts),
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
      new SagaSweeper({
        sweep: (due, causationId) =>
          service.inUnitOfWork(async (work, sql) => {
            const orderIds = await due(sql);
            await work.prefetch(orderIds);
            for (const orderId of orderIds) {
              const moved = await passDeadline.execute(
                orderId,
                causationId,
                work.sagas(causationId),
              );
              if (!moved.ok) service.logger.error(`Saga ${orderId}: ${moved.error.message}`);
            }
            return orderIds.length;
          }),
        batchSize: config.consumer.batchSize,
        intervalMs: config.saga.sweepIntervalMs,
        logger: service.logger,
      }),
    ],
  });
}
