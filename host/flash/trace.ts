/**
 * Maps a device stack trace back to TypeScript: every "app.js:LINE:COLUMN" (JerryScript frames, the serial log
 * and the error topic alike) becomes "device/x.ts:LINE:COLUMN (app.js:LINE:COLUMN)". Other text passes through.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type RawSourceMap } from './sourcemap.ts';

const FRAME = /(?:[\w./-]*\/)?app\.js:(\d+):(\d+)/g;

export function loadMap(path: string): SourceMap {
  return new SourceMap(JSON.parse(readFileSync(path, 'utf8')) as RawSourceMap);
}

export function traceText(text: string, map: SourceMap): string {
  return text.replace(FRAME, (whole, l: string, c: string) => {
    const o = map.lookup(Number(l), Number(c));
    if (!o) return whole;
    const src = o.source.replace(/^(\.\.\/)+/, '');
    return `${src}:${o.line}:${o.column}${o.name ? ` ${o.name}` : ''} (${whole})`;
  });
}
