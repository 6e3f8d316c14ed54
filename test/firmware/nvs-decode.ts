/** A settings image read back by ESP-IDF v5.2.2's own NVS parser (nvs_tool.py), as namespace -> key -> value. */
import { execFileSync } from 'node:child_process';
import { NVS_TOOL, PY } from './shared-tree.ts';

interface NvsEntry {
  state: string;
  key: string | null;
  raw: string;
  metadata: { namespace: number; type: string; chunk_index: number };
  data: { value: unknown; size?: number } | null;
  children: NvsEntry[];
}

export type NvsValue = number | string | Buffer;

export function decodeNvs(image: string): Map<string, Map<string, NvsValue>> {
  // -i: the integrity check (page and entry CRCs) runs first and prints what is wrong.
  const check = execFileSync(PY, [NVS_TOOL, '-i', '-d', 'none', '--color', 'never', image], { encoding: 'utf8' });
  if (/wrong CRC32|Original CRC32|truncated|missing a chunk|has no blob index|reported as Empty but/.test(check)) throw new Error(`nvs_tool.py integrity check:\n${check}`);
  const json = JSON.parse(execFileSync(PY, [NVS_TOOL, '-d', 'written', '-f', 'json', image], { encoding: 'utf8', maxBuffer: 1 << 24 }));
  const entries: NvsEntry[] = json.pages.flatMap((p: { entries: NvsEntry[] }) => p.entries).filter((e: NvsEntry) => e.state === 'Written' && e.key !== null);
  const namespaces = new Map<number, string>();
  for (const e of entries) if (e.metadata.namespace === 0) namespaces.set(e.data!.value as number, e.key!);
  const raw = (e: NvsEntry) => Buffer.concat(e.children.map((c) => Buffer.from(c.raw, 'base64')));
  const out = new Map<string, Map<string, NvsValue>>();
  const put = (e: NvsEntry, v: NvsValue) => {
    const ns = namespaces.get(e.metadata.namespace) ?? `#${e.metadata.namespace}`;
    if (!out.has(ns)) out.set(ns, new Map());
    out.get(ns)!.set(e.key!, v);
  };
  const blobChunks = new Map<string, NvsEntry[]>();
  for (const e of entries) {
    if (e.metadata.namespace === 0) continue;
    const t = e.metadata.type;
    if (/^u?int\d+_t$/.test(t)) put(e, e.data!.value as number);
    else if (t === 'string') put(e, raw(e).subarray(0, e.data!.size! - 1).toString('utf8')); // size counts the NUL
    else if (t === 'blob_data') blobChunks.set(`${e.metadata.namespace}/${e.key}`, [...(blobChunks.get(`${e.metadata.namespace}/${e.key}`) ?? []), e]);
  }
  for (const e of entries) {
    if (e.metadata.type !== 'blob_index') continue;
    const chunks = (blobChunks.get(`${e.metadata.namespace}/${e.key}`) ?? []).sort((a, b) => a.metadata.chunk_index - b.metadata.chunk_index);
    put(e, Buffer.concat(chunks.map((c) => raw(c).subarray(0, c.data!.size!))).subarray(0, e.data!.size!));
  }
  return out;
}
