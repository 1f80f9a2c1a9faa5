/** JSON pointers (RFC 6901): how every policy issue names its place in the file. */
export function toPointer(path: readonly PropertyKey[]): string {
  return path
    .map((segment) => `/${String(segment).replace(/~/g, "~0").replace(/\//g, "~1")}`)
    .join("");
}

/** Levenshtein distance, case-insensitive: for "did you mean" hints. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[y.length] ?? 0;
}

/**
 * The nearest candidate when it is close enough to be a typo (by default a third of its
 * length), else undefined.
 */
export function nearest(
  word: string,
  candidates: Iterable<string>,
  maxDistance?: number,
): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  const limit = maxDistance ?? Math.max(1, Math.floor(Math.max(word.length, best.length) / 3));
  return bestDistance <= limit ? best : undefined;
}

/** ` (did you mean "x"?)`, or nothing. */
export function didYouMean(
  word: string,
  candidates: Iterable<string>,
  maxDistance?: number,
): string {
  const hit = nearest(word, candidates, maxDistance);
  return hit === undefined ? "" : ` (did you mean "${hit}"?)`;
}
