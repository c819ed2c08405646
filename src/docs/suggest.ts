/**
 * "Did you mean": the known names closest to a mistyped one, as git and cargo suggest commands. Optimal string
 * alignment distance (Damerau-Levenshtein without re-editing a substring): a swapped pair of letters
 * (`no-repsonse`) costs one edit, as people mistype.
 */

/** Edit distance between `a` and `b`, or `limit + 1` as soon as it must exceed `limit` (long hostile input stays cheap). */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (prev2[j - 2] as number) + 1);
      row.push(d);
      if (d < best) best = d;
    }
    if (best > limit) return limit + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length] as number;
}

/**
 * Up to `max` of `known` close to `input`, closest first: within a third of the name's length in edits (at
 * least 2), or containing the input as a whole word part (`offload` → `checksum-offload-artifact`).
 */
export function suggest(input: string, known: readonly string[], max = 3): string[] {
  const wanted = input.trim().toLowerCase().slice(0, 200);
  if (!wanted) return [];
  const scored: Array<{ name: string; score: number }> = [];
  for (const name of known) {
    const limit = Math.max(2, Math.floor(name.length / 3));
    const d = editDistance(wanted, name, limit);
    if (d <= limit) scored.push({ name, score: d });
    else if (wanted.length >= 3 && name.split('-').some((part) => part === wanted || part.startsWith(wanted))) scored.push({ name, score: limit + 1 });
  }
  return scored
    .sort((x, y) => x.score - y.score || x.name.localeCompare(y.name))
    .slice(0, max)
    .map((s) => s.name);
}
