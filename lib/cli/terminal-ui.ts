// The engine's UserInterface on this process's terminal: progress on stderr,
// questions asked on stderr and answered on stdin when both are terminals.
import readline from 'node:readline';
import type { UserInterface } from '../engine/context.js';
import type { ExecIO } from '../engine/exec.js';

export const TERMINAL_UI: UserInterface = {
  progress: (line) => process.stderr.write(`${line}\n`),
  async choose(question, choices) {
    if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    process.stderr.write(`? ${question}:\n${choices.map((c, i) => `  ${i + 1}) ${c}`).join('\n')}\n`);
    const answer = await new Promise<string>((resolve) => rl.question('Choice: ', resolve));
    rl.close();
    return choices[Number(answer) - 1] ?? '';
  },
};

/** Our own streams, through getters: touching process.stdin sets up fd 0, which only some commands need. */
export const TERMINAL_STREAMS: ExecIO = {
  get stdin() {
    return process.stdin;
  },
  get stdout() {
    return process.stdout;
  },
  get stderr() {
    return process.stderr;
  },
};
