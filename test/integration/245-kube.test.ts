// kube generate, play and down, rootless and as root: the YAML of a pod with
// volumes, env, ports (and limits as root, where this host can set them)
// validates as Kubernetes objects (kubernetes-models' validators), plays
// back into the same containers, and generates the same YAML again; a
// Deployment of two replicas with a ConfigMap as a file and a Secret as env;
// bad YAML and unsupported kinds are one-line errors. Traffic only to loopback.
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { Pod, PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { DaemonSet, Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { lines, modes, newHusk } from '../helpers/husk.js';
import { fetchText, freePort } from '../helpers/net.js';

const MODELS: Record<string, new (data: never) => { validate(): void }> = { Pod, PersistentVolumeClaim, Service, Deployment, DaemonSet, Job };

/** Each document of the YAML through the Kubernetes model of its kind; the kinds, in order. */
function validateAll(yaml: string): string[] {
  return parseAllDocuments(yaml).map((d) => {
    const obj = d.toJS() as { kind: string };
    const Model = MODELS[obj.kind];
    if (!Model) throw new Error(`no model for ${obj.kind}`);
    new Model(obj as never).validate();
    return obj.kind;
  });
}

const LOOP = `trap 'exit 0' TERM; while :; do sleep 0.1; done`;

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(async () => {
      await h.run(['pod', 'rm', '-a', '-f', '-t', '0']);
      await h.cleanup();
    });
    await h.importBusybox();
    const port = await freePort();
    // This host's cgroups take limits as root only (rootless: cgroup v1, not delegated).
    const limits = mode === 'root' ? ['--memory', '64m'] : [];

    t.test('generate: a pod with volumes, env, ports and limits is valid Kubernetes YAML; play makes the same containers; generate again is the same', async (t) => {
      t.equal((await h.run(['volume', 'create', 'shopdata'])).code, 0);
      t.equal((await h.run(['pod', 'create', '--name', 'shop', '-p', `127.0.0.1:${port}:80`])).code, 0);
      const srv = await h.run(['run', '-d', '--pod', 'shop', '--name', 'shop-srv', '-e', 'GREETING=hello', '-v', 'shopdata:/data', '-w', '/data', ...limits, 'busybox', 'sh', '-c', `echo kept > /data/mark; mkdir -p /www; echo from-kube > /www/index.html; httpd -p 80 -h /www; ${LOOP}`]);
      t.equal(srv.code, 0, srv.stderr);
      t.equal((await h.run(['run', '-d', '--pod', 'shop', '--name', 'shop-side', 'busybox', 'sh', '-c', LOOP])).code, 0);
      const gen = await h.run(['kube', 'generate', 'shop']);
      t.equal(gen.code, 0, gen.stderr);
      t.same(validateAll(gen.stdout), ['Pod'], 'a valid Pod');
      const pod = parseAllDocuments(gen.stdout)[0]!.toJS() as { spec: { containers: Array<{ name: string; env?: unknown; ports?: unknown; resources?: unknown; volumeMounts?: unknown; workingDir?: string }> } };
      const srvSpec = pod.spec.containers.find((c) => c.name === 'srv')!;
      t.same(srvSpec.env, [{ name: 'GREETING', value: 'hello' }]);
      t.same(srvSpec.ports, [{ containerPort: 80, hostPort: port, hostIP: '127.0.0.1', protocol: 'TCP' }]);
      t.same(srvSpec.volumeMounts, [{ name: 'shopdata-pvc', mountPath: '/data' }]);
      t.equal(srvSpec.workingDir, '/data');
      if (mode === 'root') t.same(srvSpec.resources, { limits: { memory: '64Mi' } });
      const file = h.writeFile('shop.yaml', gen.stdout);

      t.equal((await h.run(['pod', 'rm', '-f', '-t', '0', 'shop'])).code, 0);
      const play = await h.run(['kube', 'play', file]);
      t.equal(play.code, 0, play.stderr);
      t.match(play.stdout, /^Pod:\n[a-f0-9]{64}\nContainers:\n[a-f0-9]{64}\n[a-f0-9]{64}\n$/);
      t.same(lines((await h.run(['ps', '--format', '{{.Names}} {{.PodName}}'])).stdout).filter((l) => !l.includes('infra')).sort(), ['shop-side shop', 'shop-srv shop']);
      t.equal(await fetchText(port), 'from-kube\n', 'the hostPort reaches the container');
      t.equal((await h.run(['exec', 'shop-srv', 'sh', '-c', 'echo $GREETING; pwd; cat /data/mark'])).stdout, 'hello\n/data\nkept\n', 'env, workingDir and the claimed volume\'s data');
      const again = await h.run(['kube', 'generate', 'shop']);
      t.equal(again.stdout, gen.stdout, 'generate -> play -> generate is stable');
      const down = await h.run(['kube', 'down', file]);
      t.equal(down.code, 0, down.stderr);
      t.same(lines((await h.run(['ps', '-a', '-q'])).stdout), [], 'kube down removed the pod and its containers');
      t.match((await h.run(['volume', 'ls'])).stdout, /shopdata/, 'the claimed volume stays');
    });

    t.test('generate --type and --service: valid Deployment, DaemonSet, Job and Service', async (t) => {
      t.equal((await h.run(['run', '-d', '--name', 'solo', '-p', `127.0.0.1:${port}:80`, 'busybox', 'sh', '-c', LOOP])).code, 0);
      t.same(validateAll((await h.run(['kube', 'generate', '--service', 'solo'])).stdout), ['Pod', 'Service']);
      for (const [type, kind] of [['deployment', 'Deployment'], ['daemonset', 'DaemonSet'], ['job', 'Job']]) {
        const r = await h.run(['kube', 'generate', '--type', type!, 'solo']);
        t.equal(r.code, 0, r.stderr);
        t.same(validateAll(r.stdout), [kind]);
      }
      t.same(validateAll((await h.run(['kube', 'generate', 'shopdata'])).stdout), ['PersistentVolumeClaim']);
      t.equal((await h.run(['rm', '-f', '-t', '0', 'solo'])).code, 0);
    });

    t.test('play: a Deployment of 2 replicas, a ConfigMap as a file, a Secret as env and as files (0600)', async (t) => {
      const yaml = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data:
  app.conf: "level=3"
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
data:
  password: ${Buffer.from('s3cret').toString('base64')}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: main
          image: busybox
          command: ["sh", "-c", "${LOOP}"]
          env:
            - name: PASSWORD
              valueFrom: {secretKeyRef: {name: creds, key: password}}
          volumeMounts:
            - {name: conf, mountPath: /etc/app, readOnly: true}
            - {name: secret, mountPath: /run/creds}
      volumes:
        - name: conf
          configMap: {name: settings}
        - name: secret
          secret: {secretName: creds}
`;
      const file = h.writeFile('api.yaml', yaml);
      const play = await h.run(['kube', 'play', file]);
      t.equal(play.code, 0, play.stderr);
      t.same(lines((await h.run(['pod', 'ps', '--format', '{{.Name}} {{.Status}}'])).stdout).sort(), ['api-pod-0 Running', 'api-pod-1 Running'], 'two replicas, two pods');
      const inside = await h.run(['exec', 'api-pod-1-main', 'sh', '-c', 'echo $PASSWORD; cat /etc/app/app.conf; echo; cat /run/creds/password; echo; stat -c %a /run/creds/password']);
      t.equal(inside.stdout, 's3cret\nlevel=3\ns3cret\n600\n', inside.stderr);
      const down = await h.run(['kube', 'down', file]);
      t.equal(down.code, 0, down.stderr);
      t.same(lines((await h.run(['pod', 'ps', '-q'])).stdout), []);
    });

    t.test('bad YAML and unsupported kinds: one line, exit 125, nothing made', async (t) => {
      for (const [text, message] of [
        ['kind: Pod\nmetadata: {name: x\n', /document 1/],
        ['apiVersion: v1\nkind: ReplicationController\nmetadata: {name: x}\n', /kind ReplicationController is not supported by husk kube play/],
        ['apiVersion: v1\nkind: Pod\nmetadata: {name: Bad_Name}\nspec: {containers: [{name: a, image: busybox}]}\n', /metadata.name must be a lowercase DNS label/],
        ['apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: a}]}\n', /image is missing/],
        ['apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: a, image: busybox, ports: [{containerPort: 99999}]}]}\n', /containerPort must be a port number/],
      ] as const) {
        const r = await h.run(['kube', 'play', '-'], { input: text });
        t.equal(r.code, 125, text);
        t.equal(lines(r.stderr).length, 1, r.stderr);
        t.match(r.stderr, message);
      }
      t.same(lines((await h.run(['pod', 'ps', '-q'])).stdout), [], 'no pod made');
      const warned = await h.run(['kube', 'play', '-'], { input: 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n    - name: a\n      image: busybox\n      command: ["true"]\n      securityContext: {seLinuxOptions: {level: "s0"}}\n' });
      t.equal(warned.code, 0, warned.stderr);
      t.match(warned.stderr, /seLinuxOptions is ignored/, 'what husk ignores is named');
      t.equal((await h.run(['pod', 'rm', '-f', '-t', '0', 'x'])).code, 0);
    });
  });
}
