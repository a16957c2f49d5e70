import t from 'tap';
import type { PortMapping } from '../../lib/core/network.js';
import {
  formatPorts,
  hostConfigPortBindings,
  parseExpose,
  parsePublish,
  portBindings,
  portCommandLines,
  publishAllPorts,
} from '../../lib/network/ports.js';
import { usageError } from './fixtures/helpers.js';

const tcp = (hostPort: number, containerPort: number, hostIp = ''): PortMapping => ({ hostIp, hostPort, containerPort, protocol: 'tcp' });
const udp = (hostPort: number, containerPort: number, hostIp = ''): PortMapping => ({ hostIp, hostPort, containerPort, protocol: 'udp' });

t.test('parsePublish: the forms docker takes', async (t) => {
  t.same(parsePublish('80'), [tcp(0, 80)]);
  t.same(parsePublish('8080:80'), [tcp(8080, 80)]);
  t.same(parsePublish('8080:80/tcp'), [tcp(8080, 80)]);
  t.same(parsePublish('5353:53/udp'), [udp(5353, 53)]);
  t.same(parsePublish('127.0.0.1:8080:80'), [tcp(8080, 80, '127.0.0.1')]);
  t.same(parsePublish('127.0.0.1::80'), [tcp(0, 80, '127.0.0.1')], 'IP::CPORT: any free port on that address');
  t.same(parsePublish('0.0.0.0:8080:80/udp'), [udp(8080, 80, '0.0.0.0')]);
  t.same(parsePublish('65535:1'), [tcp(65535, 1)]);
});

t.test('parsePublish: IPv6 addresses', async (t) => {
  t.same(parsePublish('[::1]:8080:80'), [tcp(8080, 80, '::1')]);
  t.same(parsePublish('[::]::80/udp'), [udp(0, 80, '::')]);
  t.same(parsePublish('[fe80::1]:8080:80'), [tcp(8080, 80, 'fe80::1')]);
  t.same(parsePublish('::1:8080:80'), [tcp(8080, 80, '::1')], 'unbracketed, as docker reads it');
  usageError(t, () => parsePublish('[127.0.0.1]:8080:80'), 'invalid --publish "[127.0.0.1]:8080:80": "127.0.0.1" is not an IPv6 address');
  usageError(t, () => parsePublish('[::1:8080:80'), '"[::1" is not an IP address');
});

t.test('parsePublish: ranges', async (t) => {
  t.same(parsePublish('8000-8002:80-82'), [tcp(8000, 80), tcp(8001, 81), tcp(8002, 82)]);
  t.same(parsePublish('80-81/udp'), [udp(0, 80), udp(0, 81)], 'a container range alone: free host ports');
  t.same(parsePublish('127.0.0.1::80-81'), [tcp(0, 80, '127.0.0.1'), tcp(0, 81, '127.0.0.1')]);
  t.same(parsePublish('8080-8080:80'), [tcp(8080, 80)], 'a range of one');
  usageError(t, () => parsePublish('8000-8010:80'), 'invalid --publish "8000-8010:80": the host range 8000-8010 and the container range 80 are not the same length');
  usageError(t, () => parsePublish('8000-8002:80-90'), 'are not the same length');
  usageError(t, () => parsePublish('8080:80-81'), 'are not the same length');
  usageError(t, () => parsePublish('90-80'), 'the container port range 90-80 ends before it starts');
});

t.test('parsePublish: every bad value is a UsageError naming the spec and the form', async (t) => {
  const form = 'use [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]';
  usageError(t, () => parsePublish('0'), 'invalid --publish "0": container port 0 is out of range (1-65535)', form);
  usageError(t, () => parsePublish('8080:0'), 'container port 0 is out of range');
  usageError(t, () => parsePublish('0:80'), 'host port 0 is out of range');
  usageError(t, () => parsePublish('65536:80'), 'host port 65536 is out of range');
  usageError(t, () => parsePublish('80:70000'), 'container port 70000 is out of range');
  usageError(t, () => parsePublish('300.1.1.1:80:80'), '"300.1.1.1" is not an IP address');
  usageError(t, () => parsePublish('localhost:80:80'), '"localhost" is not an IP address');
  usageError(t, () => parsePublish(''), 'invalid --publish "": the container port is empty');
  usageError(t, () => parsePublish('8080:'), 'the container port is empty');
  usageError(t, () => parsePublish(':80'), 'the host port is empty');
  usageError(t, () => parsePublish('80/'), 'the protocol is empty');
  usageError(t, () => parsePublish('80/sctp'), 'invalid --publish "80/sctp": sctp is not supported', form);
  usageError(t, () => parsePublish('80/tcp,udp'), 'unknown protocol "tcp,udp"');
  usageError(t, () => parsePublish('80/TCP'), 'unknown protocol "TCP"');
  usageError(t, () => parsePublish('http'), '"http" is not a container port or range');
  usageError(t, () => parsePublish('80a'), '"80a" is not a container port or range');
  usageError(t, () => parsePublish('-80'), '"-80" is not a container port or range');
  usageError(t, () => parsePublish('8080:80-'), '"80-" is not a container port or range');
  usageError(t, () => parsePublish('127.0.0.1:80'), '"127.0.0.1" is not a host port or range');
});

t.test('parseExpose', async (t) => {
  t.same(parseExpose('80'), ['80/tcp']);
  t.same(parseExpose('53/udp'), ['53/udp']);
  t.same(parseExpose('8000-8002/udp'), ['8000/udp', '8001/udp', '8002/udp']);
  usageError(t, () => parseExpose('0'), 'invalid --expose "0": port 0 is out of range', 'use PORT[/tcp|/udp]');
  usageError(t, () => parseExpose('80/sctp'), 'sctp is not supported');
  usageError(t, () => parseExpose('8080:80'), '"8080:80" is not a port or range');
  usageError(t, () => parseExpose(''), 'the port is empty');
  usageError(t, () => parseExpose('/tcp'), 'the port is empty');
});

t.test('publishAllPorts: exposed ports not published get a free port', async (t) => {
  const existing = [tcp(8080, 80)];
  t.same(publishAllPorts(['80/tcp', '443/tcp', '53/udp', '80/udp', '443/tcp'], existing), [tcp(8080, 80), tcp(0, 443), udp(0, 53), udp(0, 80)]);
  t.same(publishAllPorts([], existing), existing);
  t.same(publishAllPorts(['80'], []), [tcp(0, 80)], 'a bare number is tcp');
});

t.test('formatPorts: as ps prints them', async (t) => {
  t.equal(formatPorts([]), '');
  t.equal(formatPorts([tcp(8080, 80), udp(5353, 53)]), '0.0.0.0:8080->80/tcp, 0.0.0.0:5353->53/udp');
  t.equal(formatPorts(parsePublish('8000-8002:80-82')), '0.0.0.0:8000-8002->80-82/tcp');
  t.equal(formatPorts([tcp(8000, 80), tcp(8001, 81), tcp(9000, 82)]), '0.0.0.0:8000-8001->80-81/tcp, 0.0.0.0:9000->82/tcp', 'a host port out of step ends the range');
  t.equal(formatPorts([tcp(8000, 80), udp(8001, 81)]), '0.0.0.0:8000->80/tcp, 0.0.0.0:8001->81/udp');
  t.equal(formatPorts([tcp(8000, 80, '127.0.0.1'), tcp(8001, 81)]), '127.0.0.1:8000->80/tcp, 0.0.0.0:8001->81/tcp');
  t.equal(formatPorts([tcp(8080, 80, '::1')]), '[::1]:8080->80/tcp');
});

t.test('formatPorts: exposed ports that are not published', async (t) => {
  t.equal(formatPorts([], ['80/tcp']), '80/tcp');
  t.equal(formatPorts([tcp(8080, 80)], ['80/tcp', '443/tcp']), '0.0.0.0:8080->80/tcp, 443/tcp');
  t.equal(formatPorts([], ['8002/udp', '81/tcp', '8000/udp', '80/tcp', '8001/udp', '82/tcp', '90/tcp']), '80-82/tcp, 90/tcp, 8000-8002/udp');
  t.equal(formatPorts([], ['80/tcp', '80/tcp']), '80/tcp', 'duplicates once');
});

t.test('portBindings: inspect NetworkSettings.Ports', async (t) => {
  t.same(portBindings([tcp(8080, 80), tcp(8081, 80, '127.0.0.1'), udp(5353, 53)], ['80/tcp', '443/tcp']), {
    '443/tcp': null,
    '53/udp': [{ HostIp: '0.0.0.0', HostPort: '5353' }],
    '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '127.0.0.1', HostPort: '8081' }],
  });
  t.same(Object.keys(portBindings([tcp(1, 80), tcp(2, 443)])), ['443/tcp', '80/tcp'], 'keys sorted as Go writes a map');
  t.same(portBindings([]), {});
});

t.test('hostConfigPortBindings: what was asked for', async (t) => {
  t.same(hostConfigPortBindings([tcp(8080, 80), tcp(0, 443, '::1'), udp(0, 53)]), {
    '443/tcp': [{ HostIp: '::1', HostPort: '' }],
    '53/udp': [{ HostIp: '', HostPort: '' }],
    '80/tcp': [{ HostIp: '', HostPort: '8080' }],
  });
});

t.test('portCommandLines: husk port', async (t) => {
  const ports = [udp(5353, 53), tcp(8443, 443), tcp(8080, 80), tcp(8081, 80, '::1')];
  t.same(portCommandLines(ports), ['53/udp -> 0.0.0.0:5353', '80/tcp -> 0.0.0.0:8080', '80/tcp -> [::1]:8081', '443/tcp -> 0.0.0.0:8443']);
  t.same(portCommandLines(ports, '80'), ['0.0.0.0:8080', '[::1]:8081']);
  t.same(portCommandLines(ports, '80/tcp'), ['0.0.0.0:8080', '[::1]:8081']);
  t.same(portCommandLines(ports, '53/udp'), ['0.0.0.0:5353']);
  t.same(portCommandLines(ports, '53'), [], '53/tcp is not published');
  t.same(portCommandLines(ports, '80/sctp'), []);
  t.same(portCommandLines([]), []);
  usageError(t, () => portCommandLines(ports, '0'), 'invalid port "0": use PORT or PORT/PROTO');
  usageError(t, () => portCommandLines(ports, '80/icmp'), 'invalid port "80/icmp"');
  usageError(t, () => portCommandLines(ports, 'http'), 'invalid port "http"');
});
