// Runs before `npm start` (and the test suite): builds dist/ when it is missing or older than a source file, so
// a fresh clone's `npm start` still works in one command. Production images are built once and never run this.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const stamp = 'dist/.built';
const inputs = Math.max(newest('src'), ...['tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs'].map((f) => statSync(f).mtimeMs));
if (!existsSync(stamp) || statSync(stamp).mtimeMs < inputs) {
  console.error('Building dist/ (npm run build)…');
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
