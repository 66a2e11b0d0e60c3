import { loadConfig } from '../../config';

/** loadConfig's one-line refusal of an environment, or 'accepted'. */
export function configRefusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
}
