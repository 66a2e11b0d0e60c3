import { Column, DataType, Default, ForeignKey, Model, PrimaryKey, Table } from 'sequelize-typescript';
import type { FollowUpState } from '../domain/follow-ups';
import { Activity } from './Activity';
import { ActivityResult } from './ActivityResult';
import { Tenant } from './Tenant';

/** A follow-up activity due at a result's `future_scheduled_at`; its delayed job is only the timer. */
@Table({ tableName: 'follow_ups', underscored: true })
export class FollowUp extends Model {
  @PrimaryKey
  @Default(DataType.UUIDV4)
  @Column(DataType.UUID)
  declare id: string;

  @ForeignKey(() => Tenant)
  @Column(DataType.UUID)
  declare tenantId: string;

  @ForeignKey(() => ActivityResult)
  @Column(DataType.UUID)
  declare resultId: string;

  @Column(DataType.DATE)
  declare scheduledAt: Date;

  @Default('SCHEDULED')
  @Column(DataType.TEXT)
  declare state: FollowUpState;

  /** The follow-up activity, once CREATED. */
  @ForeignKey(() => Activity)
  @Column(DataType.UUID)
  declare activityId: string | null;

  declare createdAt: Date;
  declare updatedAt: Date;
}
