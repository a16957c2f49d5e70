// husk login [-u USER] [-p PASS | --password-stdin] [--get-login] [--authfile F] [--tls-verify] [--cert-dir DIR] REGISTRY
import readline from 'node:readline';
import type { CommandModule } from 'yargs';
import { NotFoundError, UsageError } from '../../core/errors.js';
import { authFileFor, saveLogin, storedLogin, verifyLogin } from '../../engine/registry.js';
import { lastWins, type GlobalArgs } from '../common.js';
import { refusedFlag } from '../compat.js';
import { printOut } from '../output.js';

type LoginArgs = GlobalArgs & {
  registry: string;
  username?: string;
  password?: string;
  passwordStdin: boolean;
  getLogin: boolean;
  authfile?: string;
  tlsVerify?: boolean;
  certDir?: string;
  compatAuthFile?: string;
  verbose: boolean;
};

/** --authfile, or podman's --compat-auth-file (docker's config.json has the same "auths" shape), not both. */
export function authFileArg(argv: { authfile?: string; compatAuthFile?: string }): string | undefined {
  if (argv.authfile !== undefined && argv.compatAuthFile !== undefined) {
    throw new UsageError('options for paths to the credential file and to the Docker-compatible credential file can not be set simultaneously');
  }
  return argv.authfile ?? argv.compatAuthFile;
}

/** "https://host:5000/v2/" or "host:5000": the registry as auth files key it. */
export function registryKey(input: string): string {
  const key = input.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
  if (!key) throw new UsageError(`invalid registry "${input}"`);
  return key === 'index.docker.io' || key === 'registry-1.docker.io' ? 'docker.io' : key;
}

export const loginCommand: CommandModule<object, LoginArgs> = {
  command: 'login <registry>',
  describe: 'Log in to a registry (credentials are checked, then kept in the auth file)',
  builder: (y) =>
    y.options({
      username: { alias: 'u', type: 'string', coerce: lastWins, describe: 'Username' },
      password: { alias: 'p', type: 'string', coerce: lastWins, describe: 'Password (prefer --password-stdin)' },
      'password-stdin': { type: 'boolean', default: false, describe: 'Read the password from stdin' },
      'get-login': { type: 'boolean', default: false, describe: 'Print the user logged in to the registry' },
      authfile: { type: 'string', coerce: lastWins, describe: 'Auth file to use' },
      // No default: without the flag, registries.conf's `insecure` decides, as for pull and push.
      'tls-verify': { type: 'boolean', describe: 'Require HTTPS and verify certificates (false: allow http and unverified TLS)' },
      'cert-dir': { type: 'string', coerce: lastWins, describe: 'Read CA and client certificates (*.crt, *.cert, *.key) from this directory' },
      'compat-auth-file': { type: 'string', coerce: lastWins, describe: "A docker-compatible auth file (docker's config.json) to use instead of --authfile" },
      verbose: { alias: 'v', type: 'boolean', default: false, describe: 'Say which auth file was used' },
      secret: refusedFlag('secret', 'string', 'husk has no secret store to read a password from: use --password-stdin'),
    }) as never,
  handler: async (argv) => {
    const registry = registryKey(argv.registry);
    const file = authFileFor(authFileArg(argv));
    if (argv.verbose) printOut(`Used: ${file}\n`);
    if (argv.getLogin) {
      const creds = storedLogin(file, registry);
      if (!creds) throw new NotFoundError(`not logged into ${registry}`);
      printOut(`${creds.username}\n`);
      return;
    }
    if (argv.passwordStdin && argv.password !== undefined) throw new UsageError('--password and --password-stdin are mutually exclusive');
    const username = argv.username ?? (await ask('Username: ', false));
    const password = argv.passwordStdin ? await readStdin() : argv.password ?? (await ask('Password: ', true));
    if (!username || !password) throw new UsageError('a username and a password are needed: -u and -p, or --password-stdin');
    await verifyLogin(registry, { username, password }, argv.tlsVerify, argv.certDir);
    saveLogin(file, registry, { username, password });
    printOut('Login Succeeded!\n');
  },
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** A prompt on the terminal; none (empty answer) without one. */
async function ask(question: string, secret: boolean): Promise<string> {
  if (!process.stdin.isTTY) return '';
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (secret) {
    // Echo nothing of what is typed after the question.
    const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput.bind(rl);
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s) => write(s.startsWith(question) ? question : '');
  }
  const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
  rl.close();
  if (secret) process.stderr.write('\n');
  return answer;
}
