import { Column, DataType, Default, ForeignKey, Model, PrimaryKey, Table } from 'sequelize-typescript';
import type { ResultRecord } from '../domain/result-response';
import type { ContactType, ResultSource, ResultStatus } from '../domain/statuses';
import { Activity } from './Activity';
import { Commerce } from './Commerce';
import { Tenant } from './Tenant';

/** The one result of an activity, or of a standalone (tenant, provider_activity_id) key. */
@Table({ tableName: 'activity_results', underscored: true })
export class ActivityResult extends Model implements ResultRecord {
  @PrimaryKey
  @Default(DataType.UUIDV4)
  @Column(DataType.UUID)
  declare id: string;

  @ForeignKey(() => Tenant)
  @Column(DataType.UUID)
  declare tenantId: string;

  @ForeignKey(() => Activity)
  @Column(DataType.UUID)
  declare activityId: string | null;

  @Column(DataType.STRING(255))
  declare providerActivityId: string | null;

  @ForeignKey(() => Commerce)
  @Column(DataType.UUID)
  declare commerceId: string;

  @Column(DataType.TEXT)
  declare source: ResultSource;

  @Column(DataType.TEXT)
  declare resultStatus: ResultStatus;

  @Column(DataType.STRING(255))
  declare externalStatus: string | null;

  /** Of the last applied event: the temporal guard compares event time with event time. */
  @Column(DataType.DATE)
  declare occurredAt: Date;

  @Column(DataType.BOOLEAN)
  declare hardOverride: boolean;

  @Column(DataType.JSONB)
  declare rawPayload: Record<string, unknown> | null;

  @Column(DataType.STRING(100))
  declare taskResult: string;

  @Column(DataType.TEXT)
  declare taskComment: string | null;

  @Column(DataType.TEXT)
  declare contactType: ContactType | null;

  @Column(DataType.STRING(255))
  declare operatorExternalId: string | null;

  @Column(DataType.DATE)
  declare futureScheduledAt: Date | null;

  @Column(DataType.JSONB)
  declare taskPayload: Record<string, unknown> | null;

  declare createdAt: Date;
  declare updatedAt: Date;
}
