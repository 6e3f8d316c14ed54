import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { progressBar, progressBars } from '../../host/progress.ts';

/** A stream that records what is written, a terminal or not. */
function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text(): string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  }) as unknown as NodeJS.WriteStream & { text(): string };
  Object.assign(w, { isTTY, columns: 100, text: () => chunks.join('') });
  return w;
}

// Strip ANSI escapes (cursor moves, line clears) so the drawn text can be read.
const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

describe('progress bars (host/progress.ts)', () => {
  it('draw nothing when the stream is not a terminal', () => {
    const s = fakeStream(false);
    const bar = progressBar('fit', 10, { stream: s });
    bar.update(5);
    bar.stop();
    assert.equal(s.text(), '');
    assert.equal(progressBars('{bar}', { stream: s }), null);
  });

  it('draw the label, the bar and the count on a terminal; a running count with its unit when the total is unknown', () => {
    const s = fakeStream(true);
    const bar = progressBar('fit', 40, { stream: s });
    bar.update(40);
    bar.stop();
    assert.match(plain(s.text()), /fit\s+\[█+\] 100% 40\/40/);
    const c = fakeStream(true);
    const count = progressBar('process', undefined, { stream: c, unit: 'rows' });
    count.update(1234);
    count.stop();
    assert.match(plain(c.text()), /process\s+1234 rows/);
  });

  it('draw one bar per add() with its fields', () => {
    const s = fakeStream(true);
    const multi = progressBars(' {id} [{bar}] {value}/{total} {state}', { stream: s })!;
    const a = multi.add(8, { id: 'dev1', state: 'offered' });
    const b = multi.add(8, { id: 'dev2', state: 'offered' });
    a.update(8, { id: 'dev1', state: 'accepted' });
    b.update(3, { id: 'dev2', state: 'downloading' });
    multi.stop();
    const text = plain(s.text());
    assert.match(text, /dev1 \[█+\] 8\/8 accepted/);
    assert.match(text, /dev2 \[[█░]+\] 3\/8 downloading/);
  });
});
