import { InitiatePaymentContract } from "../../contracts";
import { Errors, type Context, type ServiceBroker } from "moleculer";
import SqlAdapter from "moleculer-db-adapter-sequelize";
import { createSequelize } from "../shared/db/sequelize";
import { Money } from "../shared/domain/money.value-object";
import { consumerOf, type MessageConsumer } from "../shared/messaging/consumer-runner";
import { unwrapForMessage } from "../shared/runtime/domain-errors";
import {
  persistenceMixins,
  type DbServiceSchema,
  type PersistentService,
} from "../shared/runtime/persistence.mixins";
import { platformOf } from "../shared/runtime/platform";
import { ProcessPaymentHandler } from "./application/process-payment/process-payment.handler";
import { paymentMigrations } from "./infrastructure/migrations";
import { definePaymentModel, type PaymentRecord } from "./infrastructure/payment.models";
import { toPaymentView } from "./infrastructure/payment.view-mapper";
import { PaymentUnitOfWork } from "./infrastructure/payment.unit-of-work";
import { SimulatedPaymentProvider } from "./infrastructure/simulated-payment.provider";

/** The payment context's edge: the InitiatePayment consumer and a read action for the gateway. */
type PaymentService = PersistentService<PaymentUnitOfWork> & {
  adapter: { findOne(query: object): Promise<PaymentRecord | null> };
};

export default function createPaymentService(
  broker: ServiceBroker,
): DbServiceSchema<PaymentService> {
  const { config } = platformOf(broker);
  const sequelize = createSequelize(config.databases.payment);
  const Payment = definePaymentModel(sequelize);
  const declineAbove = Money.fromMajor(config.payment.declineAbove, config.currency);
  if (!declineAbove.ok) throw new Error(`PAYMENT_DECLINE_ABOVE: ${declineAbove.error.message}`);
  const processPayment = new ProcessPaymentHandler(
    new SimulatedPaymentProvider(declineAbove.value),
  );
  const consumers: MessageConsumer<PaymentUnitOfWork>[] = [
    consumerOf(InitiatePaymentContract, async (envelope, work: PaymentUnitOfWork) => {
      unwrapForMessage(
        await processPayment.execute(envelope.payload, work.payments(envelope.messageId)),
      );
    }),
  ];

  return {
    name: "payment",
    mixins: persistenceMixins({
      owner: "payment",
      sequelize,
      migrations: paymentMigrations,
      unitOfWork: (sql) => new PaymentUnitOfWork(sql),
      consumers,
    }),
    // Given a model class (not a definition), the adapter never calls sync(): migrations own the schema.
    adapter: new SqlAdapter(sequelize),
    model: Payment,
    actions: {
      byOrder: {
        params: { orderId: { type: "uuid" } },
        async handler(this: PaymentService, ctx: Context<{ orderId: string }>) {
          const record = await this.adapter.findOne({ where: { orderId: ctx.params.orderId } });
          if (!record) {
            throw new Errors.MoleculerClientError(
              `no payment for order ${ctx.params.orderId} yet`,
              404,
              "PAYMENT_NOT_FOUND",
            );
          }
          return toPaymentView(record);
        },
      },
    },
  };
}
