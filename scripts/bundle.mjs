// Bundles the CLI into one CommonJS file and warms a V8 code cache for it.
// Start-up is most of what `husk run` costs: one file with cached bytecode
// loads in a few milliseconds, hundreds of ES modules in ~70.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, 'dist', 'husk.cjs');

await build({
  entryPoints: [path.join(root, 'lib', 'cli', 'main.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile,
  // import.meta.url has no meaning in CommonJS; give it the bundle's own URL.
  define: { 'import.meta.url': '__husk_import_meta_url' },
  banner: { js: 'const __husk_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  // yargs loads node:assert for two comparisons; node:assert pulls in the
  // colour and stderr machinery at start-up. A small equivalent instead.
  alias: { assert: path.join(root, 'scripts', 'assert-lite.cjs') },
  logLevel: 'warning',
});

rmSync(`${outfile}.cache`, { force: true });
// bin/husk writes the cache when it finds none; run the help once to fill it.
execFileSync(process.execPath, [path.join(root, 'bin', 'husk'), '--help'], { stdio: 'ignore' });
