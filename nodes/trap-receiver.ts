// rackpower-trap-receiver: SNMP traps and informs (v1, v2c, v3) normalized to NUT event names (src/traps), and the
// device nodes reading the sender polled at once, so their readings and events follow the trap within one round
// trip: SNMP device nodes register the host they read with src/traps/registry, which the sender's address is matched
// against (a v1 trap's agent address too). Texts: locales/en-US/trap-receiver.json; a refused datagram or port
// is reported with the receiver's own message (src/traps/receiver.ts).
import type { NodeAPI, NodeDef } from 'node-red';
import type { AuthProtocol, PrivProtocol } from '../src/protocol/snmp/target';
import type { NormalizedTrap } from '../src/traps/normalize';
import { DEFAULT_TRAP_PORT, TrapReceiver } from '../src/traps/receiver';
import { normalizeAddress, trapTargets } from '../src/traps/registry';
import { parseList } from '../src/control/guards';
import { editorNumber } from './lib/migrations';
import { registerNode } from './lib/register';

interface TrapReceiverDef extends NodeDef {
  host: string;
  port: number | string;
  user: string;
  authProtocol: AuthProtocol | 'none' | '';
  privProtocol: PrivProtocol | 'none' | '';
  pollDevices: boolean;
}

interface TrapCredentials {
  communities?: string;
  authKey?: string;
  privKey?: string;
}

const proto = <T extends string>(v: string | undefined): T | undefined => (v && v !== 'none' ? (v as T) : undefined);

export = function (RED: NodeAPI): void {
  registerNode<TrapReceiverDef, TrapCredentials>(
    RED,
    'rackpower-trap-receiver',
    function (def, { refuse, onClose }) {
      const creds = this.credentials ?? {};
      const authProtocol = proto<AuthProtocol>(def.authProtocol);
      const privProtocol = proto<PrivProtocol>(def.privProtocol);
      const user = (def.user ?? '').trim();
      const receiver = new TrapReceiver({
        host: (def.host ?? '').trim() || '0.0.0.0',
        port: editorNumber(def.port, DEFAULT_TRAP_PORT),
        communities: creds.communities ? parseList(creds.communities).map(String) : ['public'],
        users: user ? [{ name: user, authProtocol, authKey: authProtocol && creds.authKey, privProtocol, privKey: privProtocol && creds.privKey }] : [],
      });
      let count = 0;
      const poll = (trap: NormalizedTrap): void => {
        const addresses = [trap.source.address, trap.source.agentAddress].filter((a): a is string => !!a).map(normalizeAddress);
        trapTargets.match(...addresses).forEach((t) => t.trap());
      };
      receiver.on('trap', (trap) => {
        count++;
        const last = trap.event ?? trap.trap ?? trap.oid;
        const text = count === 1 ? RED._('rackpower-trap-receiver.status.trap', { last }) : RED._('rackpower-trap-receiver.status.traps', { count, last });
        this.status({ fill: 'green', shape: 'dot', text });
        this.send({ topic: `rackpower/trap/${trap.source.agentAddress ?? trap.source.address}`, event: trap.event, payload: trap });
        if (def.pollDevices !== false) poll(trap);
      });
      // A stranger's trap is worth a warning, not an error per datagram: the first of each kind per minute.
      const warned = new Map<string, number>();
      receiver.on('rejected', (err) => {
        const last = warned.get(err.code) ?? 0;
        if (Date.now() - last < 60_000) return;
        warned.set(err.code, Date.now());
        this.warn(err.message);
      });
      const started = receiver.start().then(
        ({ host, port }) => this.status({ fill: 'green', shape: 'ring', text: RED._('rackpower-trap-receiver.status.listening', { host, port }) }),
        (err: Error) => refuse(err),
      );
      onClose(() => started.then(() => receiver.close()));
    },
    { credentials: { communities: { type: 'password' }, authKey: { type: 'password' }, privKey: { type: 'password' } } },
  );
};
