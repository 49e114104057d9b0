// What the schema cannot say about a profile's control and traps sections, each a mistake that would make rackpower
// claim something the device did not do. Each refusal names the field at fault, like the schema's own.
import type { SnmpProfile } from './types';

/** The first problem as `field: reason`, or undefined. */
export function controlProblem(profile: SnmpProfile): string | undefined {
  const outlet = profile.control?.outlet;
  if (outlet) {
    // A raw value meaning two states would let the read-back confirm a switch that did not happen.
    const { on, off, pending = [] } = outlet.state;
    const both = on.find((v) => off.includes(v) || pending.includes(v)) ?? off.find((v) => pending.includes(v));
    if (both !== undefined) return `control/outlet/state: ${both} is listed for two states`;
    // "off" sending what "on" sends would switch the outlet on and report it off until the read-back times out.
    const { on: c1, off: c2 } = outlet.commands;
    if (c1.oid === c2.oid && String(c1.value) === String(c2.value)) return 'control/outlet/commands: on and off send the same SET';
  }
  for (const [name, command] of Object.entries(profile.control?.ups ?? {})) {
    // The delay is shutdown.return's: anywhere else a "{delay}" would send the node's shutdown delay as a command value.
    const at = command.set.findIndex((s) => s.value === '{delay}');
    if (at >= 0 && name !== 'shutdown.return') return `control/ups/${name}/set/${at}/value: only shutdown.return carries a {delay}`;
  }
  const seen = new Map<string, number>();
  for (const [i, trap] of (profile.traps?.notifications ?? []).entries()) {
    // One OID twice in one profile is a copy slip; which of the two meanings applies would depend on the order.
    const first = seen.get(trap.oid);
    if (first !== undefined) return `traps/notifications/${i}/oid: ${trap.oid} is also notifications/${first}`;
    seen.set(trap.oid, i);
  }
  return undefined;
}
