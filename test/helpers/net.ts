// Loopback helpers of the networking tests: a free port, and a page fetched
// from a server in a container, retried (bounded) until it listens.
import http from 'node:http';
import net from 'node:net';

/** A port nobody listens on now (the kernel's choice, released at once). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** GET http://127.0.0.1:port/path, retried (bounded) until the server in the container listens. */
export async function fetchText(port: number, urlPath = '/index.html', host = '127.0.0.1'): Promise<string> {
  let last: unknown;
  for (let i = 0; i < 100; i++) {
    try {
      return await new Promise<string>((resolve, reject) => {
        const req = http.get({ host, port, path: urlPath, timeout: 2000 }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(body));
        });
        req.on('error', reject).on('timeout', () => req.destroy(new Error('timeout')));
      });
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw last;
}
