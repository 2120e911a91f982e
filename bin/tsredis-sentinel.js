#!/usr/bin/env node
import { main } from '../dist/src/sentinel/main.js';
main(process.argv.slice(2)).catch((e) => {
  console.error(e?.stack ?? String(e));
  process.exit(1);
});
