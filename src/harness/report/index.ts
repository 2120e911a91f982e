// Public API of the report module. Stub: the report change replaces the bodies.

/** Writes <runDir>/report.html from the run directory's files; returns its path. */
export async function writeReport(_runDir: string): Promise<string | null> {
  return null;
}

/** Writes <resultsDir>/index.html listing every run; returns its path. */
export async function writeIndex(_resultsDir: string): Promise<string | null> {
  return null;
}

export interface ServeHandle {
  url: string;
  close(): Promise<void>;
}

/** Serves the results directory over HTTP (127.0.0.1 by default). */
export async function serve(_opts: { port: number; host?: string; resultsDir: string }): Promise<ServeHandle> {
  throw new Error('harness serve not implemented yet');
}
