// The firewall rules user networks get, as nftables and as iptables scripts:
// NAT out of every non-internal subnet, nothing across bridges, nothing in or
// out of an internal one; each network's in chains of its own. (200-network
// proves the rules on a host.)
import t from 'tap';
import type { NetworkRecord } from '../../lib/core/network.js';
import { firewallTool, iptablesScript, nftablesScript } from '../../lib/network/bridge.js';

const net = (name: string, bridge: string, subnet: string, internal = false): NetworkRecord => ({
  name, id: name, driver: 'bridge', bridge, subnet, gateway: '', internal, dnsEnabled: false, labels: {}, created: '',
});
const nets = [net('husk', 'husk0', '10.88.0.0/16'), net('front', 'husk1', '10.89.0.0/24'), net('sealed', 'husk2', '10.89.1.0/24', true)];

t.test('nftables: chains of the network\'s own, made again as a whole', async (t) => {
  const [husk, front, sealed] = nets;
  const s = nftablesScript(front!);
  t.match(s, /add chain ip husk post-husk1 \{ type nat hook postrouting priority srcnat; policy accept; \}\nflush chain ip husk post-husk1\n/, 'flushed first: running it twice is the same as once');
  t.match(s, /add rule ip husk post-husk1 ip saddr 10\.89\.0\.0\/24 ip daddr != 10\.89\.0\.0\/24 masquerade/);
  t.match(s, /add rule ip husk fwd-husk1 iifname "husk1" oifname "husk\*" oifname != "husk1" drop/, 'nothing from front to another husk bridge');
  t.notMatch(s, /husk0|husk2/, 'nothing of another network: its rules are its own');
  const i = nftablesScript(sealed!);
  t.notMatch(i, /masquerade/, 'an internal network is not masqueraded');
  t.match(i, /iifname "husk2" oifname != "husk2" drop\nadd rule ip husk fwd-husk2 oifname "husk2" iifname != "husk2" drop/, 'nothing in or out of sealed');
  t.match(nftablesScript(husk!), /post-husk0 ip saddr 10\.88\.0\.0\/16/);
});

t.test('iptables: the same in chains of its own, declared (so emptied) and filled', async (t) => {
  const [, front, sealed] = nets;
  const s = iptablesScript(front!);
  t.match(s, /^\*nat\n:HUSK-POST-husk1 - \[0:0\]\n-A HUSK-POST-husk1 -s 10\.89\.0\.0\/24 ! -d 10\.89\.0\.0\/24 -j MASQUERADE\nCOMMIT\n/);
  t.match(s, /-A HUSK-FWD-husk1 -i husk1 -o husk1 -j RETURN\n-A HUSK-FWD-husk1 -i husk1 -o husk\+ -j DROP\nCOMMIT\n$/, 'within the bridge passes, to another husk bridge drops');
  const i = iptablesScript(sealed!);
  t.notMatch(i, /MASQUERADE/);
  t.match(i, /-A HUSK-FWD-husk2 -i husk2 -j DROP\n-A HUSK-FWD-husk2 -o husk2 -j DROP/);
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
