import { BelongsTo, Column, DataType, Default, ForeignKey, Model, PrimaryKey, Table } from 'sequelize-typescript';
import type { Permission } from '../domain/api-keys';
import { Tenant } from './Tenant';

/** The key itself is never stored: only its SHA-256 hash, and a short prefix to tell keys apart in lists. */
@Table({ tableName: 'api_keys', underscored: true })
export class ApiKey extends Model {
  @PrimaryKey
  @Default(DataType.UUIDV4)
  @Column(DataType.UUID)
  declare id: string;

  @ForeignKey(() => Tenant)
  @Column(DataType.UUID)
  declare tenantId: string;

  @BelongsTo(() => Tenant)
  declare tenant?: Tenant;

  @Column(DataType.TEXT)
  declare name: string;

  @Column(DataType.TEXT)
  declare prefix: string;

  @Column(DataType.CHAR(64))
  declare keyHash: string;

  @Column(DataType.ARRAY(DataType.TEXT))
  declare permissions: Permission[];

  @Column(DataType.DATE)
  declare expiresAt: Date | null;

  @Column(DataType.DATE)
  declare revokedAt: Date | null;

  @Column(DataType.DATE)
  declare lastUsedAt: Date | null;
}
