/** One progress bar per device on stderr when it is a TTY; otherwise a line per state change. */
import { progressBars, type Progress } from '../progress.ts';
import type { DeviceProgress } from './publisher.ts';
import { printableValue } from '../text/sanitize.ts';

/** Ids, states and reasons come from devices: shown with their control characters escaped. */
export function progressView(total: number): { update: (p: DeviceProgress) => void; stop: () => void } {
  const v = terminalView(total);
  return {
    update: (p) => v.update({ ...p, id: printableValue(p.id), state: printableValue(p.state) as DeviceProgress['state'], reason: p.reason ? printableValue(p.reason) : p.reason }),
    stop: v.stop,
  };
}

function terminalView(total: number): { update: (p: DeviceProgress) => void; stop: () => void } {
  const multi = progressBars(' {id} [{bar}] {value}/{total} chunks  {state}');
  if (!multi) {
    const seen = new Map<string, string>();
    return {
      update(p) {
        if (seen.get(p.id) === p.state) return;
        seen.set(p.id, p.state);
        process.stderr.write(`${p.id}: ${p.state}${p.reason ? ` (${p.reason})` : ''} ${p.done}/${p.total}\n`);
      },
      stop() {},
    };
  }
  const bars = new Map<string, Progress>();
  return {
    update(p) {
      let b = bars.get(p.id);
      if (!b) bars.set(p.id, (b = multi.add(total, { id: p.id.padEnd(10), state: p.state })));
      b.update(p.state === 'accepted' || p.state === 'pending-verify' || p.state === 'verifying' ? total : p.done, { id: p.id.padEnd(10), state: p.reason ? `${p.state}: ${p.reason}` : p.state });
    },
    stop: () => multi.stop(),
  };
}
