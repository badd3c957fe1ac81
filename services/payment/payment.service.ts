import { CancelPaymentContract, InitiatePaymentContract } from "../../contracts";
import type { Context, ServiceBroker } from "moleculer";
import { createSequelize } from "../shared/db/sequelize";
import { SqlDatabase } from "../shared/db/sql-database";
import { Money } from "../shared/domain/money.value-object";
import { consumerOf, type MessageConsumer } from "../shared/messaging/consumer-runner";
import { withTrace } from "../shared/messaging/message-context";
import { toServiceError, unwrapForMessage } from "../shared/runtime/domain-errors";
import type { ContextService } from "../shared/runtime/context";
import { defineContextService } from "../shared/runtime/context-service";
import { AFTER_PROVIDER_ANSWER, Failpoints } from "../shared/runtime/failpoints";
import { platformOf } from "../shared/runtime/platform";
import { CancelPaymentHandler } from "./application/cancel-payment/cancel-payment.handler";
import { InitiatePaymentHandler } from "./application/initiate-payment/initiate-payment.handler";
import { recordAnswer, type ProviderAnswer } from "./application/settle-payment/settle-payment";
import { paymentNotFound } from "./domain/payment.errors";
import { paymentMigrations } from "./infrastructure/migrations";
import { PaymentSettler, type SettledAnswer } from "./infrastructure/payment-settler";
import { definePaymentModel, type PaymentRecord } from "./infrastructure/payment.models";
import { toPaymentView } from "./infrastructure/payment.view-mapper";
import { PaymentUnitOfWork } from "./infrastructure/payment.unit-of-work";
import { SimulatedPaymentProvider } from "./infrastructure/simulated-payment.provider";

type PaymentService = ContextService<PaymentUnitOfWork, PaymentRecord>;

/** How a payment ended, as its metric counts it. */
function outcomeOf(answer: ProviderAnswer): "completed" | "failed" | "refunded" | "cancelled" {
  if (answer.kind === "charge") return answer.outcome.approved ? "completed" : "failed";
  return answer.refunded ? "refunded" : "cancelled";
}

/** The payment context's edge: its two command consumers, the settler and a read action. */
export default function createPaymentService(broker: ServiceBroker) {
  const { config, metrics, tracing } = platformOf(broker);
  const sequelize = createSequelize(config.databases.payment);
  const Payment = definePaymentModel(sequelize);
  const declineAbove = Money.fromMajor(config.payment.declineAbove, config.currency);
  if (!declineAbove.ok) throw new Error(`PAYMENT_DECLINE_ABOVE: ${declineAbove.error.message}`);
  const failpoints = new Failpoints(config.failpoints);
  const initiatePayment = new InitiatePaymentHandler();
  const cancelPayment = new CancelPaymentHandler();
  const consumers: MessageConsumer<PaymentUnitOfWork>[] = [
    consumerOf(InitiatePaymentContract, async (envelope, work: PaymentUnitOfWork) => {
      unwrapForMessage(
        await initiatePayment.execute(envelope.payload, work.payments(envelope.messageId)),
      );
    }),
    consumerOf(CancelPaymentContract, async (envelope, work: PaymentUnitOfWork) => {
      unwrapForMessage(
        await cancelPayment.execute(envelope.payload, work.payments(envelope.messageId)),
      );
    }),
  ];

  /** The second transaction of each settlement: the provider's answers, recorded together. */
  async function recordAnswers(
    service: PaymentService,
    answers: readonly SettledAnswer[],
  ): Promise<void> {
    const applied = await service.inUnitOfWork(async (work) => {
      await work.prefetch(answers.map(({ payment }) => payment.orderId));
      const changed: ProviderAnswer[] = [];
      for (const { payment, answer, trace } of answers) {
        // The events' cause is the settlement of this payment, named by its id; they continue
        // the order's trace from the provider call.
        const payments = work.payments(payment.paymentId);
        const recorded = await withTrace(trace, () =>
          recordAnswer(payments, payment.orderId, answer, new Date()),
        );
        if (!recorded.ok)
          service.logger.error(`Payment ${payment.paymentId}: ${recorded.error.message}`);
        else if (recorded.value === "applied") changed.push(answer);
      }
      return changed;
    });
    // Counted once committed: a payment reaches each of these outcomes once.
    for (const answer of applied) metrics.increment("payments", { outcome: outcomeOf(answer) });
  }

  return defineContextService({
    name: "payment",
    migrations: paymentMigrations,
    readModel: Payment,
    unitOfWork: (sql) => new PaymentUnitOfWork(sql),
    consumers,
    actions: {
      byOrder: {
        params: { orderId: { type: "uuid" } },
        async handler(this: PaymentService, ctx: Context<{ orderId: string }>) {
          const record = await this.adapter.findOne({ where: { orderId: ctx.params.orderId } });
          if (!record) throw toServiceError(paymentNotFound(ctx.params.orderId));
          return toPaymentView(record);
        },
      },
    },
    workers: (service) => {
      // The provider keeps its books on connections of its own, as a remote provider would. Its
      // commits do not wait for the disk: it stands in for someone else's system, and each call
      // is its own commit, so durable ones would bill a WAL flush per order to the OMS.
      const providerLedger = new SqlDatabase(config.databases.payment, {
        poolMax: 4,
        logger: service.logger,
        durableCommits: false,
      });
      const settler = new PaymentSettler({
        database: service.database,
        provider: new SimulatedPaymentProvider(
          declineAbove.value,
          providerLedger,
          config.payment.providerLatencyMs,
        ),
        record: (answers) => recordAnswers(service, answers),
        batchSize: config.consumer.batchSize,
        leaseMs: config.payment.settleLeaseMs,
        pollIntervalMs: config.payment.settlePollIntervalMs,
        logger: service.logger,
        afterAnswers: () => failpoints.crashAt(AFTER_PROVIDER_ANSWER),
        tracing,
      });
      // Stopped in reverse: the settler finishes before the ledger's connections close.
      return [{ stop: () => providerLedger.close() }, settler];
    },
  });
}
