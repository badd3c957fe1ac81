import {
  DataTypes,
  Model,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from "sequelize";

export class PaymentRecord extends Model<
  InferAttributes<PaymentRecord>,
  InferCreationAttributes<PaymentRecord>
> {
  declare id: string;
  declare orderId: string;
  declare status: string;
  declare amountMinor: number;
  declare currency: string;
  declare providerReference: string | null;
  declare failureReason: string | null;
  declare createdAt: Date;
  declare updatedAt: Date;
}

/** Maps the `payments` table (created by migrations) for this service's own Sequelize instance. */
export function definePaymentModel(sequelize: Sequelize): typeof PaymentRecord {
  const Payment = class extends PaymentRecord {};
  Payment.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true },
      orderId: { type: DataTypes.UUID, allowNull: false },
      status: { type: DataTypes.TEXT, allowNull: false },
      amountMinor: { type: DataTypes.BIGINT, allowNull: false },
      currency: { type: DataTypes.CHAR(3), allowNull: false },
      providerReference: { type: DataTypes.TEXT, allowNull: true },
      failureReason: { type: DataTypes.TEXT, allowNull: true },
      createdAt: { type: DataTypes.DATE, allowNull: false },
      updatedAt: { type: DataTypes.DATE, allowNull: false },
    },
    { sequelize, modelName: "payment", tableName: "payments", underscored: true },
  );
  return Payment;
}
