/**
 * Source map v3 lookup (the `mappings` VLQ), written here because it is about 60 lines and the device trace needs
 * nothing else from a source-map library.
 */
export interface RawSourceMap {
  version: number;
  sources: string[];
  names?: string[];
  mappings: string;
  sourceRoot?: string;
}

export interface Original {
  source: string;
  line: number; // 1-based
  column: number; // 1-based
  name?: string;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

function decodeVlq(s: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of s) {
    const d = B64_INDEX.get(ch);
    if (d === undefined) throw new Error(`bad VLQ character "${ch}"`);
    value += (d & 31) << shift;
    if (d & 32) shift += 5;
    else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/** [generatedColumn, sourceIndex, line, column, nameIndex?] per segment, per generated line (all 0-based). */
type Segment = [number, number, number, number, number?];

export class SourceMap {
  private lines: Segment[][] = [];

  constructor(private map: RawSourceMap) {
    if (map.version !== 3) throw new Error(`source map version ${map.version} is not 3`);
    let src = 0, line = 0, col = 0, name = 0;
    for (const l of map.mappings.split(';')) {
      const segs: Segment[] = [];
      let gen = 0;
      for (const s of l.split(',')) {
        if (!s) continue;
        const v = decodeVlq(s);
        gen += v[0]!;
        if (v.length < 4) continue;
        src += v[1]!;
        line += v[2]!;
        col += v[3]!;
        if (v.length >= 5) name += v[4]!;
        segs.push(v.length >= 5 ? [gen, src, line, col, name] : [gen, src, line, col]);
      }
      segs.sort((a, b) => a[0] - b[0]);
      this.lines.push(segs);
    }
  }

  /** line and column of the generated file, 1-based (as JerryScript prints them). */
  lookup(line: number, column: number): Original | null {
    const segs = this.lines[line - 1];
    if (!segs || segs.length === 0) return null;
    const col0 = column - 1;
    let lo = 0, hi = segs.length - 1, best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid]![0] <= col0) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) best = 0;
    const [, s, l, c, n] = segs[best]!;
    const source = (this.map.sourceRoot ?? '') + (this.map.sources[s] ?? '?');
    return { source, line: l + 1, column: c + 1, ...(n !== undefined && this.map.names?.[n] ? { name: this.map.names[n] } : {}) };
  }
}
