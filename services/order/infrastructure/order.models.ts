import {
  DataTypes,
  Model,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from "sequelize";

export class OrderRecord extends Model<
  InferAttributes<OrderRecord>,
  InferCreationAttributes<OrderRecord>
> {
  declare id: string;
  declare customerId: string | null;
  declare status: string;
  declare currency: string;
  declare totalMinor: number;
  declare cancellationReason: string | null;
  declare idempotencyKey: string | null;
  declare requestHash: string | null;
  declare createdAt: Date;
  declare updatedAt: Date;
  declare items?: OrderItemRecord[];
}

export class OrderItemRecord extends Model<
  InferAttributes<OrderItemRecord>,
  InferCreationAttributes<OrderItemRecord>
> {
  declare orderId: string;
  declare lineNo: number;
  declare productId: string;
  declare quantity: number;
  declare unitPriceMinor: number;
}

export interface OrderModels {
  Order: typeof OrderRecord;
  OrderItem: typeof OrderItemRecord;
}

/**
 * Maps the tables the migrations create; the schema itself comes only from migrations. Each
 * service calls this with its own Sequelize instance (its own database).
 */
export function defineOrderModels(sequelize: Sequelize): OrderModels {
  const Order = class extends OrderRecord {};
  Order.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true },
      customerId: { type: DataTypes.TEXT, allowNull: true },
      status: { type: DataTypes.TEXT, allowNull: false },
      currency: { type: DataTypes.CHAR(3), allowNull: false },
      totalMinor: { type: DataTypes.BIGINT, allowNull: false },
      cancellationReason: { type: DataTypes.TEXT, allowNull: true },
      idempotencyKey: { type: DataTypes.TEXT, allowNull: true },
      requestHash: { type: DataTypes.TEXT, allowNull: true },
      createdAt: { type: DataTypes.DATE, allowNull: false },
      updatedAt: { type: DataTypes.DATE, allowNull: false },
    },
    { sequelize, modelName: "order", tableName: "orders", underscored: true },
  );
  const OrderItem = class extends OrderItemRecord {};
  OrderItem.init(
    {
      orderId: { type: DataTypes.UUID, primaryKey: true },
      lineNo: { type: DataTypes.INTEGER, primaryKey: true },
      productId: { type: DataTypes.TEXT, allowNull: false },
      quantity: { type: DataTypes.INTEGER, allowNull: false },
      unitPriceMinor: { type: DataTypes.BIGINT, allowNull: false },
    },
    {
      sequelize,
      modelName: "orderItem",
      tableName: "order_items",
      underscored: true,
      timestamps: false,
    },
  );
  Order.hasMany(OrderItem, { as: "items", foreignKey: "orderId" });
  return { Order, OrderItem };
}
