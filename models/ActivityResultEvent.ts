import { Column, DataType, ForeignKey, Model, Table } from 'sequelize-typescript';
import type { ResultStatus } from '../domain/statuses';
import { ActivityResult } from './ActivityResult';
import { Tenant } from './Tenant';

/** Append-only history: one row per applied event. The fingerprint is unique per tenant. */
@Table({ tableName: 'activity_result_events', underscored: true, updatedAt: false })
export class ActivityResultEvent extends Model {
  @Column({ type: DataType.BIGINT, primaryKey: true, autoIncrement: true })
  declare id: string;

  @ForeignKey(() => Tenant)
  @Column(DataType.UUID)
  declare tenantId: string;

  @ForeignKey(() => ActivityResult)
  @Column(DataType.UUID)
  declare resultId: string;

  @Column(DataType.DATE)
  declare occurredAt: Date;

  @Column(DataType.TEXT)
  declare status: ResultStatus;

  /** The request body as received. */
  @Column(DataType.JSONB)
  declare body: Record<string, unknown>;

  @Column(DataType.CHAR(64))
  declare fingerprint: string;

  @Column(DataType.TEXT)
  declare jobId: string | null;

  @Column(DataType.DATE)
  declare receivedAt: Date;
}
