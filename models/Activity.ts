import { BelongsTo, Column, DataType, Default, ForeignKey, Model, PrimaryKey, Table } from 'sequelize-typescript';
import type { ActivityStatus } from '../domain/statuses';
import { Commerce } from './Commerce';
import { Tenant } from './Tenant';

@Table({ tableName: 'activities', underscored: true })
export class Activity extends Model {
  @PrimaryKey
  @Default(DataType.UUIDV4)
  @Column(DataType.UUID)
  declare id: string;

  @ForeignKey(() => Tenant)
  @Column(DataType.UUID)
  declare tenantId: string;

  @ForeignKey(() => Commerce)
  @Column(DataType.UUID)
  declare commerceId: string;

  @BelongsTo(() => Commerce)
  declare commerce?: Commerce;

  @Column(DataType.STRING(255))
  declare providerActivityId: string | null;

  @Default('TASK')
  @Column(DataType.TEXT)
  declare type: 'TASK';

  @Column(DataType.TEXT)
  declare channel: string | null;

  @Default('READY')
  @Column(DataType.TEXT)
  declare status: ActivityStatus;

  @Column(DataType.DATE)
  declare scheduledAt: Date | null;

  @ForeignKey(() => Activity)
  @Column(DataType.UUID)
  declare parentActivityId: string | null;

  @Column(DataType.UUID)
  declare sourceResultId: string | null;
}
