import t from 'tap';
import type { Test } from 'tap';
import { DockerfileError, parseDockerfile } from '../../lib/build/dockerfile.js';
import type { Instruction } from '../../lib/build/dockerfile.js';

function only(text: string): Instruction {
  const df = parseDockerfile(`FROM alpine\n${text}`);
  const i = df.stages[0]?.instructions[1];
  if (!i) throw new Error('no instruction');
  return i;
}

function fails(t: Test, text: string, message: string) {
  try {
    parseDockerfile(text);
    t.fail(`expected DockerfileError: ${message}`);
  } catch (err) {
    t.ok(err instanceof DockerfileError, (err as Error).message);
    t.equal((err as Error).message.slice(0, message.length), message);
  }
}

const TUTORIAL = `# syntax=docker/dockerfile:1

FROM node:18-alpine
WORKDIR /app
COPY . .
RUN yarn install --production
CMD ["node", "src/index.js"]
EXPOSE 3000
`;

const MULTI = `ARG GO=1.22
FROM --platform=$BUILDPLATFORM golang:\${GO} AS build
ARG TARGETOS TARGETARCH
WORKDIR /src
RUN --mount=type=cache,target=/root/.cache/go-build \\
    --mount=type=bind,source=.,target=/src \\
    GOOS=$TARGETOS go build -o /out/app .

FROM gcr.io/distroless/static AS final
COPY --from=build --chown=65532:65532 --chmod=755 --link /out/app /app
USER 65532
ENTRYPOINT ["/app"]
`;

t.test('tutorial Dockerfile', async (t) => {
  const df = parseDockerfile(TUTORIAL);
  t.same(df.directives, { escape: '\\', syntax: 'docker/dockerfile:1' });
  t.equal(df.stages.length, 1);
  const s = df.stages[0]!;
  t.same(s.from, { image: 'node:18-alpine' });
  t.same(s.instructions.map((i) => [i.kind, i.line]), [['FROM', 3], ['WORKDIR', 4], ['COPY', 5], ['RUN', 6], ['CMD', 7], ['EXPOSE', 8]]);
  t.same((s.instructions[4] as { command: unknown }).command, { form: 'exec', args: ['node', 'src/index.js'] });
  t.same((s.instructions[3] as { command: unknown }).command, { form: 'shell', text: 'yarn install --production' });
});

t.test('multi-stage with global args, flags and mounts', async (t) => {
  const df = parseDockerfile(MULTI);
  t.same(df.globalArgs.map((a) => a.args), [[{ name: 'GO', default: '1.22' }]]);
  t.same(df.stages.map((s) => [s.name, s.index, s.from]), [['build', 0, { image: 'golang:${GO}', platform: '$BUILDPLATFORM' }], ['final', 1, { image: 'gcr.io/distroless/static' }]]);
  const run = df.stages[0]!.instructions[3]!;
  if (run.kind !== 'RUN') throw new Error('RUN expected');
  t.equal(run.line, 5);
  t.equal(run.endLine, 7);
  t.same(run.mounts.map((m) => m.options), [{ type: 'cache', target: '/root/.cache/go-build' }, { type: 'bind', source: '.', target: '/src' }]);
  t.same(run.command, { form: 'shell', text: 'GOOS=$TARGETOS go build -o /out/app .' });
  const copy = df.stages[1]!.instructions[1]!;
  t.match(copy, { kind: 'COPY', from: 'build', chown: '65532:65532', chmod: '755', link: true, sources: ['/out/app'], dest: '/app', line: 10 });
});

t.test('every instruction', async (t) => {
  t.match(only('LABEL a=b c="d e" "f g"=h'), { kind: 'LABEL', labels: [{ key: 'a', value: 'b' }, { key: 'c', value: '"d e"' }, { key: 'f g', value: 'h' }] });
  t.match(only('LABEL version 1.0 beta'), { labels: [{ key: 'version', value: '1.0 beta' }] });
  t.match(only('MAINTAINER Jane <j@x>'), { kind: 'MAINTAINER', maintainer: 'Jane <j@x>' });
  t.match(only('EXPOSE 80/tcp 53/udp'), { kind: 'EXPOSE', ports: ['80/tcp', '53/udp'] });
  t.match(only('ENV A=1 B="two words"'), { kind: 'ENV', env: [{ key: 'A', value: '1' }, { key: 'B', value: '"two words"' }] });
  t.match(only('ENV PATH /usr/bin:$PATH extra'), { env: [{ key: 'PATH', value: '/usr/bin:$PATH extra' }] });
  t.match(only('ADD --checksum=sha256:abc --keep-git-dir --exclude=*.md --exclude=x https://x/y.tgz /opt/'), { kind: 'ADD', checksum: 'sha256:abc', keepGitDir: true, exclude: ['*.md', 'x'], sources: ['https://x/y.tgz'], dest: '/opt/' });
  t.match(only('COPY --parents ["a b", "c", "/d/"]'), { kind: 'COPY', parents: true, sources: ['a b', 'c'], dest: '/d/' });
  t.match(only('ENTRYPOINT exec top -b'), { kind: 'ENTRYPOINT', command: { form: 'shell', text: 'exec top -b' } });
  t.match(only('VOLUME ["/data", "/logs"]'), { kind: 'VOLUME', paths: ['/data', '/logs'] });
  t.match(only('VOLUME /a /b'), { paths: ['/a', '/b'] });
  t.match(only('USER app:app'), { kind: 'USER', user: 'app:app' });
  t.match(only('WORKDIR /a b'), { kind: 'WORKDIR', path: '/a b' });
  t.match(only('ARG A B=2 C="x y"'), { kind: 'ARG', args: [{ name: 'A' }, { name: 'B', default: '2' }, { name: 'C', default: '"x y"' }] });
  t.match(only('ONBUILD RUN make'), { kind: 'ONBUILD', expression: 'RUN make', trigger: { kind: 'RUN', command: { form: 'shell', text: 'make' } } });
  t.match(only('STOPSIGNAL SIGTERM'), { kind: 'STOPSIGNAL', signal: 'SIGTERM' });
  t.match(only('HEALTHCHECK --interval=5m --timeout=3s --start-period=1s --start-interval=1s --retries=3 CMD curl -f http://localhost/'), { kind: 'HEALTHCHECK', interval: '5m', timeout: '3s', startPeriod: '1s', startInterval: '1s', retries: '3', command: { form: 'shell', text: 'curl -f http://localhost/' } });
  t.match(only('HEALTHCHECK CMD ["true"]'), { command: { form: 'exec', args: ['true'] } });
  const none = only('HEALTHCHECK NONE');
  t.equal(none.kind === 'HEALTHCHECK' && none.command, undefined);
  t.match(only('SHELL ["powershell", "-command"]'), { kind: 'SHELL', shell: ['powershell', '-command'] });
  t.match(only('RUN --network=none --security=insecure ["echo", "hi"]'), { network: 'none', security: 'insecure', command: { form: 'exec', args: ['echo', 'hi'] } });
  t.match(only('RUN [ -f /etc/os-release ] && echo ok'), { command: { form: 'shell', text: '[ -f /etc/os-release ] && echo ok' } });
  t.match(only('run echo lower'), { kind: 'RUN' });
  t.match(parseDockerfile('FROM scratch AS Two').stages[0], { name: 'two', instructions: [{ kind: 'FROM', name: 'two' }] });
});

t.test('heredocs', async (t) => {
  const df = parseDockerfile('FROM alpine\nRUN <<EOF\necho $A\necho b\nEOF\nRUN <<-"END" cat >/x\n\t\tindented\n\tEND\nCOPY <<a.txt <<b.txt /dst/\nA\na.txt\nB\nb.txt\nRUN python3 3<<EOF\nprint(1)\nEOF\nUSER x\n');
  const [, r1, r2, c, r3, u] = df.stages[0]!.instructions;
  t.match(r1, { kind: 'RUN', line: 2, endLine: 5, command: { form: 'shell', text: '<<EOF' }, heredocs: [{ name: 'EOF', content: 'echo $A\necho b\n', expand: true, chomp: false }] });
  t.match(r2, { line: 6, heredocs: [{ name: 'END', content: 'indented\n', expand: false, chomp: true }] });
  t.match(c, { kind: 'COPY', line: 9, sources: ['<<a.txt', '<<b.txt'], dest: '/dst/', heredocs: [{ name: 'a.txt', content: 'A\n' }, { name: 'b.txt', content: 'B\n' }] });
  t.match(r3, { heredocs: [{ name: 'EOF', fd: 3, content: 'print(1)\n' }] });
  t.match(u, { kind: 'USER', line: 17 });
  t.match(only("RUN <<'EOF'\n$X\nEOF"), { heredocs: [{ expand: false, content: '$X\n' }] });
});

t.test('continuations, comments, escape directive', async (t) => {
  const df = parseDockerfile('FROM alpine\nRUN echo a \\\n# a comment inside\n\n    b \\  \n  c\nRUN x\n');
  t.match(df.stages[0]!.instructions[1], { line: 2, endLine: 6, command: { text: 'echo a     b   c' } });
  t.match(df.stages[0]!.instructions[2], { line: 7 });
  const w = parseDockerfile('# escape=`\nFROM windows\nRUN dir c:\\ `\n  /s\nCOPY a\\b c:\\d\n');
  t.equal(w.directives.escape, '`');
  t.match(w.stages[0]!.instructions[1], { command: { text: 'dir c:\\   /s' } });
  t.match(w.stages[0]!.instructions[2], { sources: ['a\\b'], dest: 'c:\\d' });
  // A directive after a blank line or an instruction is a comment.
  t.equal(parseDockerfile('\n# escape=`\nFROM a\n').directives.escape, '\\');
  t.equal(parseDockerfile('FROM a\n# escape=`\n').directives.escape, '\\');
  t.same(parseDockerfile('# check=skip=all\n # SYNTAX = x \nFROM a').directives, { escape: '\\', check: 'skip=all', syntax: 'x' });
  // An unknown directive ends the directives, as any other comment does.
  t.same(parseDockerfile('# unknown=1\n# syntax=x\nFROM a').directives, { escape: '\\' });
  t.same(parseDockerfile('# a comment\n# escape=`\nFROM a').directives, { escape: '\\' });
  t.equal(parseDockerfile('FROM a\r\nRUN b\r\n').stages[0]!.instructions[1]!.line, 2);
});

t.test('errors name file, line and instruction', async (t) => {
  fails(t, '', 'Dockerfile:1: FROM: no FROM instruction');
  fails(t, '# just a comment\nARG X\n', 'Dockerfile:2: FROM: no FROM');
  fails(t, 'FROM a\nFOO bar\n', 'Dockerfile:2: FOO: unknown instruction');
  fails(t, 'FROM a\n\nRUN\n', 'Dockerfile:3: RUN: requires at least one argument');
  fails(t, 'FROM a\nCMD ["a", 1]\n', 'Dockerfile:2: CMD: when using JSON array syntax, arrays must be comprised of strings only');
  fails(t, 'FROM a\nRUN <<EOF\necho\n', 'Dockerfile:2: RUN: unterminated heredoc EOF');
  fails(t, 'FROM a\nCOPY --frm=x a b\n', 'Dockerfile:2: COPY: unknown flag: --frm');
  fails(t, 'FROM a\nADD --from=x a b\n', 'Dockerfile:2: ADD: unknown flag: --from');
  fails(t, 'RUN x\nFROM a\n', 'Dockerfile:1: RUN: no FROM before it');
  fails(t, '# escape=x\nFROM a\n', 'Dockerfile:1: escape: invalid escape token');
  fails(t, '# escape=\\\n# escape=`\nFROM a\n', 'Dockerfile:2: escape: only one escape');
  fails(t, 'FROM a\nCOPY onlyone\n', 'Dockerfile:2: COPY: requires at least two arguments');
  fails(t, 'FROM a\nENV A\n', 'Dockerfile:2: ENV: must have two arguments');
  fails(t, 'FROM a\nENV A=1 B\n', 'Dockerfile:2: ENV: Syntax error - can\'t find = in "B"');
  fails(t, 'FROM a\nSHELL /bin/sh -c\n', 'Dockerfile:2: SHELL: SHELL requires the arguments to be in JSON form');
  fails(t, 'FROM a\nONBUILD ONBUILD RUN x\n', 'Dockerfile:2: ONBUILD: Chaining ONBUILD');
  fails(t, 'FROM a\nONBUILD FROM b\n', 'Dockerfile:2: ONBUILD: FROM isn\'t allowed as an ONBUILD trigger');
  fails(t, 'FROM a AS x\nFROM b AS X\n', 'Dockerfile:2: FROM: duplicate stage name "x"');
  fails(t, 'FROM a b\n', 'Dockerfile:1: FROM: FROM requires either one or three arguments');
  fails(t, 'FROM a\nRUN --mount=type=nfs x\n', 'Dockerfile:2: RUN: --mount: unknown mount type');
  fails(t, 'FROM a\nHEALTHCHECK --interval=soon CMD x\n', 'Dockerfile:2: HEALTHCHECK: --interval: invalid value');
  fails(t, 'FROM a\nHEALTHCHECK RUN x\n', 'Dockerfile:2: HEALTHCHECK: Unknown type "RUN" in HEALTHCHECK (try CMD)');
  fails(t, 'FROM a\nCOPY --link=maybe a b\n', 'Dockerfile:2: COPY: expecting boolean value for flag --link, not: maybe');
  try {
    parseDockerfile('FROM a\nBAD\n', 'sub/Containerfile');
  } catch (err) {
    t.match(err, { message: 'sub/Containerfile:2: BAD: unknown instruction: BAD', exitCode: 125, line: 2, instruction: 'BAD' });
  }
});

t.test('fuzz: 500 mutations return or throw DockerfileError', async (t) => {
  let seed = 0x2545f491;
  const rand = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const samples = [TUTORIAL, MULTI, 'FROM a\nRUN <<EOF\nx\nEOF\nCOPY <<-"A" /d\n\tA\n', '# escape=`\nFROM a\nRUN a `\n b\nHEALTHCHECK --retries=2 CMD ["x"]\nONBUILD ADD a b\n'];
  const start = Date.now();
  let parsed = 0;
  let refused = 0;
  for (let i = 0; i < 500; i++) {
    let text = samples[rand(samples.length)]!;
    for (let k = 1 + rand(4); k > 0; k--) {
      const lines = text.split('\n');
      const a = rand(Math.max(text.length, 1));
      const b = rand(Math.max(text.length, 1));
      const la = rand(lines.length);
      const lb = rand(lines.length);
      switch (rand(6)) {
        case 0: text = text.slice(0, a) + text.slice(a + 1); break;
        case 1: text = text.slice(0, a) + text[a] + text.slice(a); break;
        case 2: { const c = text.split(''); [c[a], c[b]] = [c[b]!, c[a]!]; text = c.join(''); break; }
        case 3: lines.splice(la, 1); text = lines.join('\n'); break;
        case 4: lines.splice(la, 0, lines[la] ?? ''); text = lines.join('\n'); break;
        default: [lines[la], lines[lb]] = [lines[lb]!, lines[la]!]; text = lines.join('\n');
      }
    }
    try {
      parseDockerfile(text);
      parsed++;
    } catch (err) {
      if (!(err instanceof DockerfileError)) t.fail(`not a DockerfileError on ${JSON.stringify(text)}: ${String(err)}`);
      refused++;
    }
  }
  t.equal(parsed + refused, 500);
  t.ok(Date.now() - start < 5000, 'within 5 s');
});

t.test('buildkit parsing rules', async (t) => {
  // Invalid JSON is the shell form, not an error (parseMaybeJSON).
  t.match(only('CMD ["a", \'b\']'), { command: { form: 'shell', text: '["a", \'b\']' } });
  t.match(only('ENTRYPOINT []'), { command: { form: 'exec', args: [] } });
  t.match(only('COPY ["a" b c'), { sources: ['["a"', 'b'], dest: 'c' });
  // FROM, EXPOSE and the shell form of COPY/ADD/VOLUME split on blanks, quotes or not.
  t.match(only('COPY "a b" c'), { sources: ['"a', 'b"'], dest: 'c' });
  t.match(only('VOLUME "/a b"'), { paths: ['"/a', 'b"'] });
  t.match(only('EXPOSE "80 81"'), { ports: ['"80', '81"'] });
  // ENV/LABEL/ARG words keep quotes and escapes; the legacy form keeps the rest of the line as is.
  t.match(only('ENV A="x y" B=a\\ b C=\'$D\''), { env: [{ key: 'A', value: '"x y"' }, { key: 'B', value: 'a\\ b' }, { key: 'C', value: "'$D'" }] });
  t.match(only('ENV "A B" c  d'), { env: [{ key: '"A', rawKey: '"A', value: 'B" c  d' }] });
  t.match(only('LABEL "f g"=h $K=v'), { labels: [{ key: 'f g', rawKey: '"f g"', value: 'h' }, { key: '$K', rawKey: '$K', value: 'v' }] });
  t.match(only('ENV A= B=""'), { env: [{ key: 'A', value: '' }, { key: 'B', value: '""' }] });
  t.match(only('ARG A "B"=1 C='), { args: [{ name: 'A' }, { name: 'B', default: '1' }, { name: 'C', default: '' }] });
  // Flags on any instruction: quotes removed, `--` ends them, unknown ones refused.
  t.match(only('COPY --chown="a b" --from=\'x\' -- --weird /d'), { chown: 'a b', from: 'x', sources: ['--weird'], dest: '/d' });
  t.match(only('COPY --link=TRUE --from= a b'), { link: true, sources: ['a'] });
  fails(t, 'FROM a\nENV --x=1 A=b\n', 'Dockerfile:2: ENV: unknown flag: --x');
  fails(t, 'FROM a\nCOPY --from a b\n', 'Dockerfile:2: COPY: missing a value on flag: --from');
  fails(t, 'FROM a\nCOPY --link= a b\n', 'Dockerfile:2: COPY: missing a value on flag: --link');
  fails(t, 'FROM a\nCOPY --from=a --from=b a b\n', 'Dockerfile:2: COPY: duplicate flag specified: --from');
  fails(t, 'FROM a\nCOPY <<EOF <<X\nx\nEOF\n', 'Dockerfile:2: COPY: COPY cannot accept a heredoc as a destination');
  fails(t, 'FROM a\nENV =x\n', 'Dockerfile:2: ENV: names can not be blank');
  fails(t, 'FROM a\nVOLUME [""]\n', 'Dockerfile:2: VOLUME: VOLUME specified can not be an empty string');
  fails(t, 'FROM a\nHEALTHCHECK NONE x\n', 'Dockerfile:2: HEALTHCHECK: HEALTHCHECK NONE takes no arguments');
  fails(t, 'FROM a\nHEALTHCHECK CMD []\n', 'Dockerfile:2: HEALTHCHECK: Missing command after HEALTHCHECK CMD');
  fails(t, 'FROM a\nUSER\n', 'Dockerfile:2: USER: requires exactly one argument');
  fails(t, 'FROM a AS 1x\n', 'Dockerfile:1: FROM: invalid name for build stage: "1x"');
});

t.test('buildkit continuations and directives', async (t) => {
  // An escaped escape character at the end does not continue the line.
  const df = parseDockerfile('FROM a\nRUN echo \\\\\nRUN b\n');
  t.match(df.stages[0]!.instructions[1], { line: 2, endLine: 2, command: { text: 'echo \\\\' } });
  // A line holding only the escape character continues; continuation lines keep their leading blanks.
  t.match(only('RUN a \\\n\\\n  b'), { command: { text: 'a   b' } });
  // Blank-only and comment lines inside a continuation are skipped, even indented comments.
  t.match(only('RUN a \\\n   \n   # note\nb'), { endLine: 5, command: { text: 'a b' } });
  // A continuation at the end of the file ends the instruction.
  t.match(only('RUN a \\'), { command: { text: 'a' } });
  // Leading blanks before a directive and CRLF endings.
  t.equal(parseDockerfile('  #  escape = ` \r\nFROM a\r\nRUN x `\r\n y\r\n').stages[0]!.instructions[1]!.endLine, 4);
  fails(t, '# syntax=a\n# SYNTAX=b\nFROM a\n', 'Dockerfile:2: syntax: only one syntax parser directive can be used');
  // An empty value is no directive.
  t.same(parseDockerfile('# escape=\n# escape=`\nFROM a').directives, { escape: '\\' });
});

t.test('buildkit heredoc rules', async (t) => {
  // `<< EOF` with blanks, quoted parts of the word, and a heredoc word inside a longer command.
  t.match(only('RUN cat << EOF\nx\nEOF'), { heredocs: [{ name: 'EOF', content: 'x\n', expand: true }] });
  t.match(only('RUN cat <<E"O"F\nx\nEOF'), { heredocs: [{ name: 'EOF', expand: false }] });
  t.match(only('RUN <<EOF\r\nx\r\nEOF\r\n'), { heredocs: [{ name: 'EOF', content: 'x\r\n' }] });
  fails(t, 'FROM a\nRUN <<EOF\nlast', 'Dockerfile:2: RUN: unterminated heredoc EOF');
  // No heredocs in the JSON form; ONBUILD's expression carries them.
  t.match(only('RUN ["cat", "<<EOF"]'), { heredocs: [] });
  t.match(only('ONBUILD RUN <<EOF\nx\nEOF'), { expression: 'RUN <<EOF\nx\nEOF', trigger: { heredocs: [{ name: 'EOF', content: 'x\n' }] } });
});
