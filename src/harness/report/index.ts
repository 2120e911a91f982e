// Public API of the report module: per-run HTML report, the results index, and `harness serve`.
import fs from 'node:fs';
import path from 'node:path';
import { buildModel } from './data.js';
import { renderReport } from './html.js';
import { collectRuns, renderIndex } from './index-page.js';
export { serve, type ServeHandle } from './serve.js';

/** Writes a file through a temporary name so a browser never sees half a page. */
function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Writes <runDir>/report.html from the run directory's files; returns its path. */
export async function writeReport(runDir: string): Promise<string | null> {
  if (!fs.existsSync(runDir) || !fs.statSync(runDir).isDirectory()) return null;
  const model = await buildModel(runDir);
  const file = path.join(runDir, 'report.html');
  writeAtomic(file, renderReport(model));
  return file;
}

/** Writes <resultsDir>/index.html listing every run; returns its path. */
export async function writeIndex(resultsDir: string): Promise<string | null> {
  if (!fs.existsSync(resultsDir)) return null;
  const file = path.join(resultsDir, 'index.html');
  writeAtomic(file, renderIndex(collectRuns(resultsDir)));
  return file;
}
