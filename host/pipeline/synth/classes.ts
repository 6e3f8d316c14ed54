/** Power-quality classes (IEEE 1159 names) the generator knows, and the combinations it can compose. */

export const PQ_CLASSES: readonly string[] = Object.freeze([
  'normal',
  'sag',
  'swell',
  'interruption',
  'harmonics',
  'flicker',
  'oscillatory_transient',
  'impulsive_transient',
  'notch',
  'frequency_deviation',
]);

/** Combined disturbances: parts joined by '+', each part drawn from its own parameter ranges. */
export const PQ_COMBINATIONS: readonly string[] = Object.freeze([
  'sag+harmonics',
  'swell+harmonics',
  'interruption+harmonics',
  'flicker+harmonics',
  'sag+flicker',
  'swell+flicker',
  'sag+oscillatory_transient',
  'swell+oscillatory_transient',
  'harmonics+oscillatory_transient',
  'harmonics+notch',
]);

/** Checks a class list given by the user; returns the parts of each class for the generator. */
export function parseClasses(classes: readonly string[]): string[][] {
  if (classes.length === 0) throw new Error('no classes to generate');
  const out: string[][] = [];
  for (const name of classes) {
    const parts = name.split('+').map((p) => p.trim());
    for (const p of parts) {
      if (!PQ_CLASSES.includes(p) || p === 'normal' && parts.length > 1) {
        throw new Error(`unknown class "${name}" (have: ${PQ_CLASSES.join(', ')}, and combinations such as ${PQ_COMBINATIONS[0]})`);
      }
    }
    if (new Set(parts).size !== parts.length) throw new Error(`class "${name}" repeats a part`);
    out.push(parts);
  }
  return out;
}

/**
 * Order used for class indices: the single classes in PQ_CLASSES order, then combinations in PQ_COMBINATIONS
 * order, then anything else alphabetically. Stable across files, so train and test agree.
 */
export function classOrder(names: Iterable<string>): string[] {
  const rank = (n: string): number => {
    const i = PQ_CLASSES.indexOf(n);
    if (i >= 0) return i;
    const j = PQ_COMBINATIONS.indexOf(n);
    return j >= 0 ? 100 + j : 1000;
  };
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}
