#!/usr/bin/env node
// Runs the compiled CLI (npm run build: dist/cli/main.bundle.js, see scripts/build.mjs). Plain JavaScript: no
// TypeScript loader, no install step at start.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.bundle.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('caracal-chatops: dist/ is missing: run `npm run build` first (npm start builds it by itself)');
  process.exit(78);
}
await import(entry.href);
