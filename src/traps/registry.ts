// Who to poll when a trap arrives: device pollers register the host they read, the trap receiver looks the sender's
// address up and makes each match poll at once, so a flow's state and the trap's event agree within one round trip.
// Process-wide, like Node-RED's own node registry: device nodes and trap receiver nodes meet here without wiring.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface TrapTarget {
  /** Unique per registration (a node id, a CLI URL). */
  id: string;
  /** The host the device is read at, as configured: an address or a name. */
  host: string;
  /** Polls now; a poller's trap() (its poll counts as confirmed). */
  trap(): void;
}

/** One spelling per address: lower case, no brackets, IPv4-mapped IPv6 as IPv4. */
export function normalizeAddress(address: string): string {
  const a = address.trim().toLowerCase().replace(/^\[|\]$/gu, '');
  return a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

export class TrapRegistry {
  private readonly targets = new Map<string, { target: TrapTarget; addresses: Set<string> }>();

  /** Adds a target; a host name is resolved in the background (until then only the name itself matches). */
  register(target: TrapTarget): () => void {
    const entry = { target, addresses: new Set([normalizeAddress(target.host)]) };
    this.targets.set(target.id, entry);
    if (!isIP(entry.addresses.values().next().value!)) {
      lookup(target.host, { all: true }).then(
        (found) => found.forEach((a) => entry.addresses.add(normalizeAddress(a.address))),
        () => undefined, // unresolvable now: the device node reports that itself when it polls
      );
    }
    return () => {
      if (this.targets.get(target.id) === entry) this.targets.delete(target.id);
    };
  }

  /** The targets read at any of these addresses (a trap's UDP source and a v1 trap's agent address). */
  match(...addresses: (string | undefined)[]): TrapTarget[] {
    const wanted = addresses.filter((a): a is string => !!a).map(normalizeAddress);
    return [...this.targets.values()].filter((e) => wanted.some((a) => e.addresses.has(a))).map((e) => e.target);
  }
}

export const trapTargets = new TrapRegistry();
