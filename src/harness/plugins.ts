// Loads every workload and nemesis file (they register themselves). Discovery by directory, so
// adding a workload or nemesis needs no edit in the engine.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// here is <dist>/src/harness (or src/harness under vitest): plugins are at <root>/workloads, <root>/nemeses
const root = path.resolve(here, '../..');

let loaded: Promise<void> | null = null;

export function loadPlugins(): Promise<void> {
  loaded ??= (async () => {
    const ext = here.endsWith(path.join('dist', 'src', 'harness')) || import.meta.url.endsWith('.js') ? '.js' : '.ts';
    for (const dir of ['workloads', 'nemeses']) {
      const d = path.join(root, dir);
      let files: string[] = [];
      try {
        files = fs
          .readdirSync(d)
          .filter((f) => f.endsWith(ext) && !f.endsWith('.d.ts') && !f.endsWith('.test' + ext))
          .sort();
      } catch {
        continue;
      }
      for (const f of files) await import(pathToFileURL(path.join(d, f)).href);
    }
  })();
  return loaded;
}
