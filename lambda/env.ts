/** A number from an environment variable, or the fallback when unset; anything else names the variable. */
export function numberVar(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  ok: (n: number) => boolean = Number.isFinite,
  what = 'a number',
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!ok(value)) throw new Error(`environment variable ${name}="${raw}" is not ${what}`);
  return value;
}
