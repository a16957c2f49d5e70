// Bundles the CLI into one CommonJS file and warms a V8 code cache for it.
// Start-up is most of what `husk run` costs: one file with cached bytecode
// loads in a few milliseconds, hundreds of ES modules in ~70.
import { build } from 'esbuild';
import { builtinModules, createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, 'dist', 'husk.cjs');

const require = createRequire(import.meta.url);
// package.json is where the version is written; lib/engine/version.ts gets it from here.
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

/**
 * esbuild turns `import fs from 'node:fs'` into a copy of the whole module
 * object at every import site (its CommonJS interop): ~2 ms of start-up for
 * husk's ~40 such imports. Each built-in becomes one shared ES module that
 * hands out the real module object instead; named imports read plain value
 * properties (getters, which may load more of node lazily, are left out).
 */
const sharedBuiltins = {
  name: 'shared-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:|^[a-z_/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (!builtinModules.includes(name) || !args.importer.startsWith(path.join(root, 'lib') + path.sep)) return undefined;
      return { path: name, namespace: 'builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
      const mod = require(`node:${args.path}`);
      const names = Object.keys(mod).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default' && !Object.getOwnPropertyDescriptor(mod, k)?.get);
      const lines = [`const m = require("node:${args.path}");`, 'export default m;', ...names.map((k) => `export const ${k} = m.${k};`)];
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

await build({
  entryPoints: [path.join(root, 'lib', 'cli', 'main.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile,
  // import.meta.url has no meaning in CommonJS; give it the bundle's own URL,
  // made when first asked for (building a URL costs every command ~0.5 ms).
  // HUSK_BUNDLED_VERSION: package.json's version as a literal (lib/engine/version.ts).
  define: { 'import.meta.url': '__husk_bundle.url', HUSK_BUNDLED_VERSION: JSON.stringify(version) },
  banner: { js: 'const __husk_bundle = { get url() { return require("node:url").pathToFileURL(__filename).href; } };' },
  // yargs loads node:assert for two comparisons; node:assert pulls in the
  // colour and stderr machinery at start-up. A small equivalent instead.
  plugins: [sharedBuiltins],
  alias: { assert: path.join(root, 'scripts', 'assert-lite.cjs') },
  logLevel: 'warning',
  minifyWhitespace: true,
  minifySyntax: true,
  // HUSK_DEBUG=1 turns source maps on (bin/husk): stacks name the TypeScript files.
  sourcemap: 'linked',
});

rmSync(`${outfile}.cache`, { force: true });
// bin/husk writes the cache when it finds none; `run --help` compiles the
// option parsing that every `husk run` goes through.
execFileSync(path.join(root, 'bin', 'husk'), ['run', '--help'], { stdio: 'ignore' });
