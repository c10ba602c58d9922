// `npm run build`: TypeScript to dist/ (tsc, tsconfig.build.json), then the files the code reads next to itself
// at run time (the sandbox's page and SQL): everything under src/ that is not TypeScript.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
cpSync('src', 'dist', {
  recursive: true,
  filter: (path) => statSync(path).isDirectory() || !/\.[cm]?ts$/.test(path),
});
// The CLI entry and `check` as one bundle with split chunks: a terminal check opens a handful of files instead of
// hundreds (about half the start time). serve and sandbox stay external, unbundled tsc output: they read files
// next to their modules (migrations, the sandbox page) and start once.
const { build } = await import('esbuild');
// Chunk names carry a hash: without this, every build would leave the last one's chunks behind.
rmSync('dist/cli/chunks', { recursive: true, force: true });
const bundle = await build({
  entryPoints: ['dist/cli/main.js'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: 'dist/cli',
  entryNames: '[name].bundle',
  chunkNames: 'chunks/[name]-[hash]',
  external: ['./serve.js', './sandbox.js', 'pg-native'],
  allowOverwrite: true,
  logLevel: 'warning',
  // CommonJS dependencies (pg, ioredis) call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __ccCreateRequire } from 'node:module'; const require = __ccCreateRequire(import.meta.url);" },
  metafile: true,
});
// The deep verification starts its worker threads from `./verify-worker.js` next to the module that holds
// verify-pool's code (src/audit/verify-pool.ts): in dist/audit that is tsc's output; in the bundle, the chunk
// esbuild put it in, so the worker is bundled into that chunk's folder too (one file: nothing else to load).
const poolChunks = Object.entries(bundle.metafile.outputs)
  .filter(([, output]) => Object.keys(output.inputs).includes('dist/audit/verify-pool.js'))
  .map(([path]) => path);
if (poolChunks.length === 0) throw new Error('build: no bundle output holds dist/audit/verify-pool.js');
for (const dir of new Set(poolChunks.map((path) => dirname(path)))) {
  await build({
    entryPoints: ['dist/audit/verify-worker.js'],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: join(dir, 'verify-worker.js'),
    allowOverwrite: true,
    logLevel: 'warning',
  });
}
// ensure-build.mjs compares this stamp with the sources.
writeFileSync('dist/.built', new Date().toISOString());
