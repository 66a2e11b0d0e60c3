import { Column, DataType, Default, ForeignKey, Model, PrimaryKey, Table } from 'sequelize-typescript';
import { Tenant } from './Tenant';

@Table({ tableName: 'commerces', underscored: true })
export class Commerce extends Model {
  @PrimaryKey
  @Default(DataType.UUIDV4)
  @Column(DataType.UUID)
  declare id: string;

  @ForeignKey(() => Tenant)
  @Column(DataType.UUID)
  declare tenantId: string;

  @Column(DataType.STRING(255))
  declare externalId: string;

  @Column(DataType.TEXT)
  declare name: string | null;

  /** Created on the fly for a standalone result whose commerce was not known yet. */
  @Default(false)
  @Column(DataType.BOOLEAN)
  declare isPlaceholder: boolean;
}
