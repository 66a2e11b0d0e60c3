import { AllowNull, Column, DataType, Default, Model, PrimaryKey, Table } from 'sequelize-typescript';

@Table({ tableName: 'tenants', underscored: true })
export class Tenant extends Model {
  @PrimaryKey
  @Default(DataType.UUIDV4)
  @Column(DataType.UUID)
  declare id: string;

  @Column(DataType.TEXT)
  declare name: string;

  /** An inactive tenant's keys are refused (403 TENANT_INACTIVE); its data stays. */
  @Default(true)
  @Column(DataType.BOOLEAN)
  declare active: boolean;

  /** The tenant's own rate limit; null (both) means the deployment's default. */
  @AllowNull
  @Column(DataType.INTEGER)
  declare rateLimitRps: number | null;

  @AllowNull
  @Column(DataType.INTEGER)
  declare rateLimitBurst: number | null;
}
