// The firewall rules user networks get, as nftables and as iptables scripts:
// NAT out of every non-internal subnet, nothing across bridges, nothing in or
// out of an internal one. (200-network proves the nftables rules on a host.)
import t from 'tap';
import type { NetworkRecord } from '../../lib/core/network.js';
import { firewallTool, iptablesScript, nftablesScript } from '../../lib/network/bridge.js';

const net = (name: string, bridge: string, subnet: string, internal = false): NetworkRecord => ({
  name, id: name, driver: 'bridge', bridge, subnet, gateway: '', internal, dnsEnabled: false, labels: {}, created: '',
});
const nets = [net('husk', 'husk0', '10.88.0.0/16'), net('front', 'husk1', '10.89.0.0/24'), net('sealed', 'husk2', '10.89.1.0/24', true)];

t.test('nftables: one table made again as a whole', async (t) => {
  const s = nftablesScript(nets);
  t.match(s, /^table ip husk \{\}\nflush table ip husk\n/, 'flushed first: running it twice is the same as once');
  t.match(s, /ip saddr 10\.88\.0\.0\/16 ip daddr != 10\.88\.0\.0\/16 masquerade/);
  t.match(s, /ip saddr 10\.89\.0\.0\/24 ip daddr != 10\.89\.0\.0\/24 masquerade/);
  t.notMatch(s, /10\.89\.1\.0\/24 .*masquerade/, 'an internal network is not masqueraded');
  t.match(s, /iifname "husk1" oifname "husk\*" oifname != "husk1" drop/, 'nothing from front to another bridge');
  t.match(s, /iifname "husk2" oifname != "husk2" drop\n\s*oifname "husk2" iifname != "husk2" drop/, 'nothing in or out of sealed');
});

t.test('iptables: husk\'s own chains, declared (so emptied) and filled', async (t) => {
  const s = iptablesScript(nets);
  t.match(s, /^\*nat\n:HUSK-POSTROUTING - \[0:0\]\n/);
  t.match(s, /-A HUSK-POSTROUTING -s 10\.89\.0\.0\/24 ! -d 10\.89\.0\.0\/24 -j MASQUERADE/);
  t.notMatch(s, /-s 10\.89\.1\.0\/24/, 'an internal network is not masqueraded');
  for (const [a, b] of [['husk0', 'husk1'], ['husk1', 'husk0'], ['husk0', 'husk2'], ['husk1', 'husk2']]) {
    t.match(s, new RegExp(`-A HUSK-FORWARD -i ${a} -o ${b} -j DROP`), `${a} to ${b} dropped`);
  }
  t.match(s, /-A HUSK-FORWARD -i husk2 ! -o husk2 -j DROP/);
  t.match(s, /-A HUSK-FORWARD -o husk2 ! -i husk2 -j DROP/);
  t.match(s, /COMMIT\n$/);
});

t.test('HUSK_FIREWALL picks the tool', async (t) => {
  const saved = process.env.HUSK_FIREWALL;
  t.teardown(() => {
    if (saved === undefined) delete process.env.HUSK_FIREWALL;
    else process.env.HUSK_FIREWALL = saved;
  });
  process.env.HUSK_FIREWALL = 'iptables';
  t.equal(firewallTool(), 'iptables');
  process.env.HUSK_FIREWALL = 'nftables';
  t.equal(firewallTool(), 'nftables');
});
