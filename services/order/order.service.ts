import { ApproveOrderContract, RejectOrderContract } from "../../contracts";
import { Errors, type Context, type ServiceBroker } from "moleculer";
import { Op } from "sequelize";
import { createSequelize } from "../shared/db/sequelize";
import { consumerOf, type MessageConsumer } from "../shared/messaging/consumer-runner";
import { toServiceError, unwrapForCaller, unwrapForMessage } from "../shared/runtime/domain-errors";
import type { ContextService } from "../shared/runtime/context";
import { defineContextService } from "../shared/runtime/context-service";
import { platformOf } from "../shared/runtime/platform";
import { CancelOrderHandler } from "./application/cancel-order/cancel-order.handler";
import { ConfirmOrderHandler } from "./application/confirm-order/confirm-order.handler";
import type { PlaceOrderCommand } from "./application/place-order/place-order.command";
import { PlaceOrderHandler } from "./application/place-order/place-order.handler";
import { orderNotFound } from "./domain/order.errors";
import { callerOf, type Caller } from "../shared/runtime/caller";
import { MAX_UNIT_PRICE } from "./domain/order-item.value-object";
import { MAX_QUANTITY_PER_LINE } from "./domain/quantity.value-object";
import { OrderStatus } from "./domain/order-status";
import { MAX_ITEMS_PER_ORDER } from "./domain/order.aggregate";
import { orderMigrations } from "./infrastructure/migrations";
import { defineOrderModels, type OrderRecord } from "./infrastructure/order.models";
import { afterCursor, decodeCursor, encodeCursor } from "./infrastructure/order-page-cursor";
import { toOrderSummaryView, toOrderView } from "./infrastructure/order.view-mapper";
import { OrderUnitOfWork } from "./infrastructure/order.unit-of-work";

/** How `GET /orders` pages (keyset, order-page-cursor.ts): the default and the largest page. */
const PAGE_SIZE = { default: 20, max: 100 };

/**
 * What a caller's reads may see: an admin (and the operator) every order, a customer their own.
 * Another customer's order is simply not found: a 404, never a 403, so ids cannot be probed.
 */
const ownedBy = (caller: Caller) => (caller.admin ? {} : { customerId: caller.customerId });

interface ListParams {
  status?: string;
  pageSize?: number;
  cursor?: string;
}

type OrderService = ContextService<OrderUnitOfWork, OrderRecord>;

/**
 * The order context's edge: actions for the gateway and the REPL, consumers for the saga's
 * commands. Each one validates, builds a command, runs the use case and maps the result.
 */
export default function createOrderService(broker: ServiceBroker) {
  const { config, metrics } = platformOf(broker);
  const sequelize = createSequelize(config.databases.order);
  const models = defineOrderModels(sequelize);
  const placeOrder = new PlaceOrderHandler({ currency: config.currency });
  const confirmOrder = new ConfirmOrderHandler();
  const cancelOrder = new CancelOrderHandler();
  const consumers: MessageConsumer<OrderUnitOfWork>[] = [
    consumerOf(ApproveOrderContract, async (envelope, work: OrderUnitOfWork) => {
      unwrapForMessage(
        await confirmOrder.execute(envelope.payload, work.orders(envelope.messageId)),
      );
    }),
    consumerOf(RejectOrderContract, async (envelope, work: OrderUnitOfWork) => {
      unwrapForMessage(
        await cancelOrder.execute(
          { ...envelope.payload, requestedBy: "saga" },
          work.orders(envelope.messageId),
        ),
      );
    }),
  ];

  return defineContextService({
    name: "order",
    migrations: orderMigrations,
    readModel: models.Order,
    unitOfWork: (sql) => new OrderUnitOfWork(sql),
    consumers,
    actions: {
      create: {
        params: {
          $$strict: true,
          items: {
            type: "array",
            min: 1,
            max: MAX_ITEMS_PER_ORDER,
            items: {
              type: "object",
              strict: true,
              props: {
                productId: { type: "string", min: 1, max: 64, trim: true },
                quantity: {
                  type: "number",
                  integer: true,
                  positive: true,
                  max: MAX_QUANTITY_PER_LINE,
                  convert: false,
                },
                price: { type: "number", positive: true, max: MAX_UNIT_PRICE, convert: false },
              },
            },
          },
        },
        async handler(
          this: OrderService,
          ctx: Context<Pick<PlaceOrderCommand, "items">, { idempotencyKey?: string }>,
        ) {
          const command: PlaceOrderCommand = {
            customerId: callerOf(ctx).customerId,
            items: ctx.params.items,
            idempotencyKey: ctx.meta.idempotencyKey,
            requestId: ctx.requestID ?? ctx.id,
          };
          const placed = unwrapForCaller(
            // Placing writes with one atomic statement, and its reads need no lock.
            await this.inUnitOfWork(
              (work) => placeOrder.execute(command, work.orders(command.requestId)),
              { transaction: false },
            ),
          );
          if (placed.replayed) (ctx.meta as Record<string, unknown>).idempotentReplayed = true;
          else metrics.increment("ordersCreated");
          return { orderId: placed.orderId, status: placed.status };
        },
      },

      get: {
        params: { orderId: { type: "uuid" } },
        async handler(this: OrderService, ctx: Context<{ orderId: string }>) {
          const items = { model: models.OrderItem, as: "items" };
          const record = await this.adapter.findOne({
            where: { id: ctx.params.orderId, ...ownedBy(callerOf(ctx)) },
            include: [items],
            order: [[items, "lineNo", "ASC"]],
          });
          if (!record) throw toServiceError(orderNotFound(ctx.params.orderId));
          return toOrderView(record);
        },
      },

      /** Whether the caller may see the order (the gateway asks before a saga or payment read). */
      visible: {
        params: { orderId: { type: "uuid" } },
        async handler(this: OrderService, ctx: Context<{ orderId: string }>) {
          const record = await this.adapter.findOne({
            where: { id: ctx.params.orderId, ...ownedBy(callerOf(ctx)) },
            attributes: ["id"],
          });
          if (!record) throw toServiceError(orderNotFound(ctx.params.orderId));
          return { orderId: ctx.params.orderId };
        },
      },

      /**
       * The customer cancels their pending order: it is CANCELLED at once, with the reason, and
       * the saga (on OrderCancelled) cancels or refunds the payment. An ended order is a 409.
       */
      cancel: {
        params: {
          $$strict: true,
          orderId: { type: "uuid" },
          reason: { type: "string", min: 1, max: 200, trim: true, optional: true },
        },
        async handler(this: OrderService, ctx: Context<{ orderId: string; reason?: string }>) {
          const caller = callerOf(ctx);
          const { orderId } = ctx.params;
          const by = caller.admin ? "an admin" : "the customer";
          const reason = `cancelled by ${by}${ctx.params.reason ? `: ${ctx.params.reason}` : ""}`;
          unwrapForCaller(
            await this.inUnitOfWork((work) =>
              cancelOrder.execute(
                { orderId, reason, requestedBy: caller },
                work.orders(ctx.requestID ?? ctx.id),
              ),
            ),
          );
          return { orderId, status: OrderStatus.Cancelled, cancellationReason: reason };
        },
      },

      list: {
        params: {
          $$strict: true,
          status: { type: "enum", values: Object.values(OrderStatus), optional: true },
          pageSize: {
            type: "number",
            integer: true,
            min: 1,
            max: PAGE_SIZE.max,
            optional: true,
            convert: true,
          },
          cursor: { type: "string", min: 1, max: 200, optional: true },
        },
        async handler(this: OrderService, ctx: Context<ListParams>) {
          const { status, cursor, pageSize = PAGE_SIZE.default } = ctx.params;
          const after = cursor === undefined ? undefined : decodeCursor(cursor);
          if (cursor !== undefined && !after)
            throw new Errors.ValidationError("Invalid cursor", "VALIDATION_ERROR", [
              { field: "cursor", message: "is not a cursor this API returned" },
            ]);
          const conditions = [
            ownedBy(callerOf(ctx)),
            ...(status ? [{ status }] : []),
            ...(after ? [afterCursor(after)] : []),
          ];
          // One more than the page: whether there is a next page, without counting them all.
          const found = await this.adapter.find({
            query: { [Op.and]: conditions },
            sort: ["-createdAt", "-id"],
            limit: pageSize + 1,
          });
          const rows = found.slice(0, pageSize);
          const last = rows.at(-1);
          return {
            rows: rows.map(toOrderSummaryView),
            pageSize,
            nextCursor: found.length > pageSize && last ? encodeCursor(last) : null,
          };
        },
      },
    },
  });
}
