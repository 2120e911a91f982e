#!/usr/bin/env node
import { main } from '../dist/src/harness/cli.js';
main(process.argv.slice(2)).then((code) => process.exit(code ?? 0), (e) => {
  console.error(e?.stack ?? String(e));
  process.exit(255);
});
