import type { Sequelize } from 'sequelize-typescript';

let instance: Sequelize | undefined;

export function setDatabase(sequelize: Sequelize): void {
  instance = sequelize;
}

/** The test process's one Sequelize instance (the models are bound to it). */
export function sequelize(): Sequelize {
  if (!instance) throw new Error('the root hooks have not connected the test database');
  return instance;
}

export async function count(table: string, where = 'true'): Promise<number> {
  const [rows] = await sequelize().query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`);
  return (rows as Array<{ n: number }>)[0].n;
}
