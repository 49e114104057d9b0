// A received SNMP notification (v1 trap, v2c/v3 trap or inform) → one normalized message: the NUT event name when a
// table knows the trap, its name and vendor, who sent it, and the varbinds decoded. Unknown traps pass through raw.
import * as snmp from 'net-snmp';
import { eventMessage } from '../normalize/events';
import { convertUnit } from '../normalize/transform';
import type { EventName } from '../types';
import { trapIndex, type TrapDefinition, type TrapEventName } from './definitions';

export interface TrapVarbind {
  oid: string;
  /** net-snmp's ObjectType name: Integer, OctetString, OID, TimeTicks, Counter ... */
  type: string;
  value: number | string;
}

export interface NormalizedTrap {
  /** The NUT event the trap means, when the tables know it. */
  event?: TrapEventName;
  /** The trap's MIB name (upsTrapOnBattery), when known. */
  trap?: string;
  vendor?: string;
  /** The notification OID (snmpTrapOID; a v1 trap's enterprise.0.specific, RFC 3584). */
  oid: string;
  /** Where it came from: the UDP source, and a v1 trap's agent-addr (differs behind NAT or a relay). */
  source: { address: string; port: number; agentAddress?: string };
  version: 1 | 2 | 3;
  inform: boolean;
  /** The v1/v2c community or the v3 user it was accepted under. */
  community?: string;
  user?: string;
  /** The sender's sysUpTime in seconds. */
  uptime?: number;
  varbinds: TrapVarbind[];
  /** One sentence for notifications. */
  message: string;
  timestamp: number;
}

const SNMP_TRAP_OID = '1.3.6.1.6.3.1.1.4.1.0';
const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';
const GENERIC_TRAPS = ['coldStart', 'warmStart', 'linkDown', 'linkUp', 'authenticationFailure', 'egpNeighborLoss'];
const OUTLET_MESSAGES: Record<string, string> = { OUTLETON: 'switched an outlet on', OUTLETOFF: 'switched an outlet off' };

const TYPE_NAMES = snmp.ObjectType as unknown as Record<number, string>;

/** The raw notification net-snmp's receiver hands over. */
export interface RawNotification {
  pdu: {
    type: number;
    varbinds: snmp.Varbind[];
    enterprise?: string;
    agentAddr?: string;
    generic?: number;
    specific?: number;
    upTime?: number;
    community?: string;
    user?: string;
  };
  rinfo: { address: string; port: number };
}

function decode(vb: snmp.Varbind): TrapVarbind {
  const v = vb.value as unknown;
  let value: number | string;
  if (Buffer.isBuffer(v)) {
    // Counter64 arrives as bytes; text as latin1 without padding NULs.
    value = vb.type === snmp.ObjectType.Counter64 ? Number(BigInt('0x' + (v.toString('hex') || '0'))) : v.toString('latin1').replace(/\0+$/u, '');
  } else value = typeof v === 'number' ? v : String(v);
  return { oid: vb.oid, type: TYPE_NAMES[vb.type as number] ?? String(vb.type), value };
}

/** The event of a trap whose meaning sits in a varbind (alarm added/removed: which alarm). */
function eventOf(def: TrapDefinition, varbinds: TrapVarbind[]): TrapEventName | undefined {
  if (!def.byVarbind) return def.event;
  const prefix = def.byVarbind.oid + '.';
  const vb = varbinds.find((v) => v.oid.startsWith(prefix));
  return vb ? def.byVarbind.events[String(vb.value)] : undefined;
}

export class TrapNormalizer {
  private readonly index = trapIndex();

  normalize(n: RawNotification, now: number): NormalizedTrap {
    const pdu = n.pdu;
    const varbinds = pdu.varbinds.map(decode);
    const v1 = pdu.type === snmp.PduType.Trap;
    let oid: string;
    let uptime: number | undefined;
    if (v1) {
      // RFC 3584 §3.1: generic traps 0-5 are snmpTraps.(g+1); enterprise-specific ones enterprise.0.specific.
      oid = pdu.generic === 6 ? `${pdu.enterprise}.0.${pdu.specific}` : `1.3.6.1.6.3.1.1.5.${(pdu.generic ?? 0) + 1}`;
      uptime = pdu.upTime;
    } else {
      oid = String(varbinds.find((v) => v.oid === SNMP_TRAP_OID)?.value ?? '');
      uptime = varbinds.find((v) => v.oid === SYS_UPTIME)?.value as number | undefined;
    }
    const payloadVarbinds = varbinds.filter((v) => v.oid !== SNMP_TRAP_OID && v.oid !== SYS_UPTIME);
    const def = this.index.get(oid);
    const generic = !def && oid.startsWith('1.3.6.1.6.3.1.1.5.') ? GENERIC_TRAPS[Number(oid.split('.').pop()) - 1] : undefined;
    const event = def && eventOf(def, payloadVarbinds);
    const address = n.rinfo.address;
    const agentAddress = v1 && pdu.agentAddr && pdu.agentAddr !== address ? pdu.agentAddr : undefined;
    const who = agentAddress ?? address;
    const name = def?.name ?? generic;
    const message = event
      ? OUTLET_MESSAGES[event] ? `${who} ${OUTLET_MESSAGES[event]} (${name})` : `${eventMessage(who, event as EventName)} (${name})`
      : name ? `${who} sent ${name}` : `${who} sent an unknown trap ${oid}`;
    return {
      ...(event && { event }),
      ...(name && { trap: name }),
      ...(def && { vendor: def.vendor }),
      oid,
      source: { address, port: n.rinfo.port, ...(agentAddress && { agentAddress }) },
      version: v1 ? 1 : pdu.user !== undefined ? 3 : 2,
      inform: pdu.type === snmp.PduType.InformRequest,
      ...(pdu.community !== undefined && { community: pdu.community }),
      ...(pdu.user !== undefined && { user: pdu.user }),
      ...(uptime !== undefined && { uptime: Math.floor(convertUnit(uptime, 'timeticks-to-s')) }),
      varbinds: payloadVarbinds,
      message,
      timestamp: now,
    };
  }
}
