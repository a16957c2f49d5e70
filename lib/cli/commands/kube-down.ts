// husk kube down [--force] FILE|-|URL: the pods the YAML made, removed (with --force, their claimed volumes too).
import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { kubeDown } from '../../engine/kube.js';
import { contextFrom, type GlobalArgs } from '../common.js';
import { printOut } from '../output.js';

export const kubeDownCommand: CommandModule<object, GlobalArgs & { file: string; force: boolean }> = {
  command: 'down <file>',
  describe: 'Remove the pods that kube play made of Kubernetes YAML',
  builder: (y) => y.options({ force: { type: 'boolean', default: false, describe: 'Remove the PersistentVolumeClaims\' volumes too' } }) as never,
  handler: async (argv) => {
    const { text, source } = await readKubeSource(argv.file);
    await kubeDown(contextFrom(argv), text, source, argv.force, (l) => printOut(`${l}\n`));
  },
};

/** YAML from a file, stdin (-) or an http(s) URL. */
export async function readKubeSource(file: string): Promise<{ text: string; source: string }> {
  if (file === '-') return { text: fs.readFileSync(0, 'utf8'), source: '-' };
  if (/^https?:\/\//i.test(file)) {
    const res = await fetch(file).catch((err: Error) => {
      throw new UsageError(`${file}: ${err.message}`);
    });
    if (!res.ok) throw new UsageError(`${file}: the server answered ${res.status} ${res.statusText}`);
    return { text: await res.text(), source: file };
  }
  try {
    return { text: fs.readFileSync(file, 'utf8'), source: file };
  } catch (err) {
    throw new UsageError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}
