/**
 * Container Apps memory amounts ("0.5Gi", "1Gi", "512Mi", "2G") in bytes. Undefined for anything
 * else: an unreadable limit makes the memory signal `unknown`, never a guess.
 */
const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
  ki: 1024,
  mi: 1024 ** 2,
  gi: 1024 ** 3,
  ti: 1024 ** 4,
};

export function parseMemoryQuantity(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?)?\s*$/i.exec(text);
  if (!match) return undefined;
  const bytes = Number(match[1]) * UNITS[(match[2] ?? '').toLowerCase()];
  return Number.isFinite(bytes) && bytes > 0 ? Math.round(bytes) : undefined;
}

/** A replica's memory limit: the sum over the template's containers; undefined when any does not say. */
export function memoryLimitOf(containers: ReadonlyArray<{ resources?: { memory?: string } }> | undefined): number | undefined {
  const amounts = (containers ?? []).map((c) => parseMemoryQuantity(c.resources?.memory));
  if (amounts.length === 0 || amounts.some((a) => a === undefined)) return undefined;
  return amounts.reduce<number>((sum, a) => sum + (a ?? 0), 0);
}
