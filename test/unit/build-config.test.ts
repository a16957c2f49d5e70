import t from 'tap';
import { parseDockerfile } from '../../lib/build/dockerfile.js';
import { applyMetadata, type ConfigState } from '../../lib/build/config.js';
import { ArgScope } from '../../lib/build/substitute.js';
import type { ImageConfig, ImageRuntimeConfig } from '../../lib/image/types.js';

/** The runtime config after the instructions of a one-stage Dockerfile, on a base config. */
function configAfter(lines: string, base: ImageRuntimeConfig = {}): ImageConfig {
  const df = parseDockerfile(`FROM base\n${lines}\n`);
  const config: ImageConfig = { architecture: 'amd64', os: 'linux', config: structuredClone(base), rootfs: { type: 'layers', diff_ids: [] } };
  const scope = new ArgScope().stage();
  scope.seedEnv(base.Env ?? []);
  const state: ConfigState = { cmdSet: false };
  for (const instr of df.stages[0]!.instructions.slice(1)) {
    if (instr.kind === 'ARG') for (const a of instr.args) scope.declareArg(a.name, a.default);
    else applyMetadata(config, instr, scope, state);
  }
  return config;
}

t.test("CMD and ENTRYPOINT, docker's table case by case", async (t) => {
  const c = (lines: string, base?: ImageRuntimeConfig) => {
    const r = configAfter(lines, base).config;
    return { Entrypoint: r.Entrypoint ?? null, Cmd: r.Cmd ?? null };
  };
  t.same(c('CMD ["exec_cmd", "p1_cmd"]'), { Entrypoint: null, Cmd: ['exec_cmd', 'p1_cmd'] }, 'no ENTRYPOINT, CMD exec form');
  t.same(c('CMD exec_cmd p1_cmd'), { Entrypoint: null, Cmd: ['/bin/sh', '-c', 'exec_cmd p1_cmd'] }, 'no ENTRYPOINT, CMD shell form');
  t.same(c('ENTRYPOINT exec_entry p1_entry'), { Entrypoint: ['/bin/sh', '-c', 'exec_entry p1_entry'], Cmd: null }, 'shell-form ENTRYPOINT');
  t.same(c('ENTRYPOINT ["exec_entry", "p1_entry"]\nCMD ["exec_cmd", "p1_cmd"]'), { Entrypoint: ['exec_entry', 'p1_entry'], Cmd: ['exec_cmd', 'p1_cmd'] }, 'exec ENTRYPOINT + exec CMD');
  t.same(c('CMD ["p1_cmd"]\nENTRYPOINT ["exec_entry"]'), { Entrypoint: ['exec_entry'], Cmd: ['p1_cmd'] }, 'a CMD of this stage survives a later ENTRYPOINT');
  t.same(c('ENTRYPOINT ["exec_entry"]', { Cmd: ['sh'] }), { Entrypoint: ['exec_entry'], Cmd: null }, "the base image's CMD does not survive a new ENTRYPOINT");
  t.same(c('CMD ["x"]', { Entrypoint: ['ep'] }), { Entrypoint: ['ep'], Cmd: ['x'] }, "the base's ENTRYPOINT stays under a new CMD");
  t.same(c('SHELL ["/bin/bash", "-xc"]\nCMD echo hi'), { Entrypoint: null, Cmd: ['/bin/bash', '-xc', 'echo hi'] }, 'SHELL changes the shell form');
});

t.test('ENV, LABEL, ARG substitution and scoping', async (t) => {
  const r = configAfter('ARG V=1\nENV A=$V B=x\nENV C=${A:-none}-${B:+set}\nLABEL "com.x.v"="$V" other=o\nENV A=2 D=$A', { Env: ['PATH=/bin', 'A=0'] });
  t.same(r.config.Env, ['PATH=/bin', 'A=2', 'B=x', 'C=1-set', 'D=1'], 'values of one ENV line see the environment before it; a variable keeps its place; ARGs are not kept');
  t.same(r.config.Labels, { 'com.x.v': '1', other: 'o' });
  t.same(configAfter('ENV P=${PATH}:/x', { Env: ['PATH=/bin'] }).config.Env, ['PATH=/bin', 'P=/bin:/x'], "the base image's ENV is visible to substitution");
});

t.test('WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL, HEALTHCHECK, ONBUILD, MAINTAINER', async (t) => {
  const r = configAfter('ENV D=/srv\nWORKDIR $D\nWORKDIR app\nUSER 1000:1000\nEXPOSE 80 53/udp 8000-8002\nVOLUME ["/data", "/logs"]\nSTOPSIGNAL SIGTERM\nHEALTHCHECK --interval=5s --retries=2 CMD curl -f http://localhost/\nONBUILD RUN echo child\nMAINTAINER someone');
  t.equal(r.config.WorkingDir, '/srv/app', 'a relative WORKDIR follows the previous one');
  t.equal(r.config.User, '1000:1000');
  t.same(Object.keys(r.config.ExposedPorts ?? {}), ['80/tcp', '53/udp', '8000/tcp', '8001/tcp', '8002/tcp']);
  t.same(Object.keys(r.config.Volumes ?? {}), ['/data', '/logs']);
  t.equal(r.config.StopSignal, 'SIGTERM');
  t.same(r.config.Healthcheck, { Test: ['CMD-SHELL', 'curl -f http://localhost/'], Interval: 5e9, Retries: 2 });
  t.same(r.config.OnBuild, ['RUN echo child']);
  t.equal(r.author, 'someone');
  t.same(configAfter('HEALTHCHECK NONE').config.Healthcheck, { Test: ['NONE'] });
  t.throws(() => configAfter('EXPOSE 70000'), /EXPOSE: invalid port "70000"/);
});
