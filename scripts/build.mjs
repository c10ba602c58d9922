// `npm run build`: TypeScript to dist/ (tsc, tsconfig.build.json), then the files the code reads next to itself
// at run time (the sandbox's page and SQL): everything under src/ that is not TypeScript.
import { execFileSync } from 'node:child_process';
import { cpSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
cpSync('src', 'dist', {
  recursive: true,
  filter: (path) => statSync(path).isDirectory() || !/\.[cm]?ts$/.test(path),
});
// ensure-build.mjs compares this stamp with the sources.
writeFileSync('dist/.built', new Date().toISOString());
