/**
 * Who sends LED commands, and each command's sequence number (device/led/senders.ts applies a command once, and only
 * above the last one applied from its sender). The sender is the MQTT username when there is one, else an id made
 * once and kept in a small JSON file (`.jerrywatt/led-sender.json` for the CLI) with the last sequence number of
 * every sender used from here.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

interface SenderFile {
  id: string;
  seq: { [sender: string]: number };
}

function read(file: string): SenderFile | null {
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as SenderFile;
    if (typeof j?.id === 'string' && j.id && typeof j.seq === 'object' && j.seq) return j;
  } catch {
    /* absent or damaged: start again (the sequence below still moves forward) */
  }
  return null;
}

/**
 * The sender for a command (`username`, or the kept id) and its next sequence number, saved before it is used.
 * The number is above the last one saved AND at least the current time in ms, so that it still moves forward when
 * the file is lost or another machine sends as the same user.
 */
export function nextSequence(file: string, username: string | undefined, now = Date.now()): { from: string; seq: number } {
  const f = read(file) ?? { id: `cli-${randomUUID().slice(0, 8)}`, seq: {} };
  const from = username || f.id;
  const seq = Math.max((f.seq[from] ?? 0) + 1, now);
  f.seq[from] = seq;
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(f) + '\n');
  renameSync(tmp, file);
  return { from, seq };
}
