/** model.json on disk: written pretty enough to diff, refused with a clear message when corrupt or of another version. */
import { readFile, writeFile } from 'node:fs/promises';
import { validateModel, type ForestModel } from './model.ts';

export async function saveModelJson(path: string, m: ForestModel): Promise<void> {
  await writeFile(path, JSON.stringify(m) + '\n');
}

export function parseModelJson(text: string, path = 'model'): ForestModel {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message}): corrupt model file?`);
  }
  try {
    return validateModel(raw);
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

export async function loadModelJson(path: string): Promise<ForestModel> {
  return parseModelJson(await readFile(path, 'utf8'), path);
}
