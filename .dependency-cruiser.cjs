// The layers of src/ (README, "Layout"): checked by `npm run lint` and test/architecture.test.ts.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycle',
      comment:
        'Folders of src/ import each other in one direction only: a cycle between folders is a layer mixed up. ' +
        'The subfolders of src/checks group checks by what they read and share their readers: they are one layer.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/checks/[^/]+' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
      scope: 'folder',
    },
    {
      name: 'no-file-cycle',
      comment: 'A module cycle at run time makes load order matter (type-only imports are erased, and do not count).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'domain-is-the-bottom',
      comment: 'src/domain holds gates, events, check results, the run model: it imports nothing of the bot.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'only-entry-points-build-the-app',
      comment: 'src/app.ts and src/wiring/ are the composition root: only entry points (cli, sandbox, main) build it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(app\\.ts|wiring/|cli/|sandbox/|main\\.ts)' },
      to: { path: '^src/(app\\.ts|wiring/)' },
    },
    {
      name: 'production-never-loads-the-sandbox',
      comment: 'The simulator (PGlite, fake Slack and Caracal) is loaded only by the sandbox entry and the CLI sandbox command.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(sandbox/|cli/)' },
      to: { path: '^src/sandbox/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
