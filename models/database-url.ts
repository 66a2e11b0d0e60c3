import os from 'node:os';

/** Like libpq, connect as the operating-system user when the URL names no user. */
export function withDefaultUser(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (!url.username) url.username = os.userInfo().username;
  return url.toString();
}
