/** A progress bar on stderr, only when stderr is a terminal (pipes, tests and CI logs stay clean). */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number): void;
  stop(): void;
}

/** total 0 = unknown (a CSV of unknown length): counts without a bar. */
export function progressBar(label: string, total: number): Progress {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const format = total > 0 ? `${label.padEnd(8)} [{bar}] {percentage}% {value}/{total}` : `${label.padEnd(8)} {value} rows`;
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { update: (d) => bar.update(d), stop: () => bar.stop() };
}
