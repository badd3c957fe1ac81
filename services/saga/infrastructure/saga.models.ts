import {
  DataTypes,
  Model,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from "sequelize";

export class SagaRecord extends Model<
  InferAttributes<SagaRecord>,
  InferCreationAttributes<SagaRecord>
> {
  declare orderId: string;
  declare state: string;
  declare amountMinor: number;
  declare currency: string;
  declare failureReason: string | null;
  declare createdAt: Date;
  declare updatedAt: Date;
  declare transitions?: SagaTransitionRecord[];
}

export class SagaTransitionRecord extends Model<
  InferAttributes<SagaTransitionRecord>,
  InferCreationAttributes<SagaTransitionRecord>
> {
  declare id?: number;
  declare orderId: string;
  declare fromState: string | null;
  declare toState: string;
  declare occurredAt: Date;
  declare causationId: string;
  declare note: string | null;
}

export interface SagaModels {
  Saga: typeof SagaRecord;
  SagaTransition: typeof SagaTransitionRecord;
}

/** Maps `order_sagas` and `saga_transitions` (created by migrations) for this service's database. */
export function defineSagaModels(sequelize: Sequelize): SagaModels {
  const Saga = class extends SagaRecord {};
  Saga.init(
    {
      orderId: { type: DataTypes.UUID, primaryKey: true },
      state: { type: DataTypes.TEXT, allowNull: false },
      amountMinor: { type: DataTypes.BIGINT, allowNull: false },
      currency: { type: DataTypes.CHAR(3), allowNull: false },
      failureReason: { type: DataTypes.TEXT, allowNull: true },
      createdAt: { type: DataTypes.DATE, allowNull: false },
      updatedAt: { type: DataTypes.DATE, allowNull: false },
    },
    { sequelize, modelName: "saga", tableName: "order_sagas", underscored: true },
  );
  const SagaTransition = class extends SagaTransitionRecord {};
  SagaTransition.init(
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      orderId: { type: DataTypes.UUID, allowNull: false },
      fromState: { type: DataTypes.TEXT, allowNull: true },
      toState: { type: DataTypes.TEXT, allowNull: false },
      occurredAt: { type: DataTypes.DATE, allowNull: false },
      causationId: { type: DataTypes.TEXT, allowNull: false },
      note: { type: DataTypes.TEXT, allowNull: true },
    },
    {
      sequelize,
      modelName: "sagaTransition",
      tableName: "saga_transitions",
      underscored: true,
      timestamps: false,
    },
  );
  Saga.hasMany(SagaTransition, { as: "transitions", foreignKey: "orderId" });
  return { Saga, SagaTransition };
}
