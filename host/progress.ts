/**
 * Progress bars on stderr: the one wrapper of cli-progress in the host tools. Drawn only when the stream is a
 * terminal, so pipes, tests and CI logs stay clean.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** `fields` fill the `{name}` placeholders of a progressBars() format. */
  update(done: number, fields?: Record<string, string>): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Written after a running count (total unknown), e.g. "rows". */
  unit?: string;
  stream?: NodeJS.WriteStream;
}

const SILENT: Progress = { update() {}, stop() {} };

/** One bar: `label [====] 42% 420/1000`; with total 0 or undefined (length unknown), a running count. */
export function progressBar(label: string, total: number | undefined, o: ProgressOptions = {}): Progress {
  const stream = o.stream ?? process.stderr;
  if (!stream.isTTY) return SILENT;
  const name = label.padEnd(8);
  const format = total ? `${name} [{bar}] {percentage}% {value}/{total}` : `${name} {value}${o.unit ? ` ${o.unit}` : ''}`;
  const bar = new cliProgress.SingleBar({ stream, format, hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
  bar.start(total ?? 0, 0);
  return { update: (done, fields) => bar.update(done, fields), stop: () => bar.stop() };
}

/**
 * Several bars under one another (one per device, say) sharing `format` (`{bar}`, `{value}`, `{total}` and
 * the fields given to add() and update()). Null when the stream is not a terminal: the caller prints lines.
 */
export function progressBars(format: string, o: Pick<ProgressOptions, 'stream'> = {}): { add(total: number, fields: Record<string, string>): Progress; stop(): void } | null {
  const stream = o.stream ?? process.stderr;
  if (!stream.isTTY) return null;
  const multi = new cliProgress.MultiBar({ stream, format, hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
  return {
    add(total, fields) {
      const bar = multi.create(total, 0, fields);
      return { update: (done, f) => bar.update(done, f), stop: () => bar.stop() };
    },
    stop: () => multi.stop(),
  };
}
