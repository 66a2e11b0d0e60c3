import { Column, DataType, Default, ForeignKey, Model, PrimaryKey, Table } from 'sequelize-typescript';
import { Tenant } from './Tenant';

/** When a tenant has any, `task_result.result` must be one of its codes. */
@Table({ tableName: 'task_result_types', underscored: true })
export class TaskResultType extends Model {
  @PrimaryKey
  @Default(DataType.UUIDV4)
  @Column(DataType.UUID)
  declare id: string;

  @ForeignKey(() => Tenant)
  @Column(DataType.UUID)
  declare tenantId: string;

  @Column(DataType.STRING(100))
  declare code: string;

  @Column(DataType.TEXT)
  declare label: string;

  @Default(false)
  @Column(DataType.BOOLEAN)
  declare requiresFutureScheduledAt: boolean;
}
