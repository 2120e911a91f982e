// Public API of the report module: per-run HTML report, the results index, and `harness serve`.
import fs from 'node:fs';
import path from 'node:path';
import { buildModel } from './data.js';
import { renderReport } from './html.js';
import { collectRuns, renderIndex } from './index-page.js';
import { writeFileAtomic } from '../store.js';
export { serve, type ServeHandle } from './serve.js';

/** Writes <runDir>/report.html from the run directory's files; returns its path. */
export async function writeReport(runDir: string): Promise<string | null> {
  if (!fs.existsSync(runDir) || !fs.statSync(runDir).isDirectory()) return null;
  const model = await buildModel(runDir);
  const file = path.join(runDir, 'report.html');
  writeFileAtomic(file, renderReport(model)); // a browser never sees half a page
  return file;
}

/** Writes <resultsDir>/index.html listing every run; returns its path. */
export async function writeIndex(resultsDir: string): Promise<string | null> {
  if (!fs.existsSync(resultsDir)) return null;
  const file = path.join(resultsDir, 'index.html');
  writeFileAtomic(file, renderIndex(collectRuns(resultsDir)));
  return file;
}
