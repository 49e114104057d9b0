// net-snmp's agent (3.x) stops a GETBULK reply after `maxRepetitions` varbinds in total, where RFC 3416 §4.2.3 asks
// for `maxRepetitions` rows of every repeater. Real cards answer in full, so the simulator does too: otherwise every
// poll of a 24-outlet PDU would look like an agent trimming its replies and cost extra requests.
import snmp from 'net-snmp';

interface BulkPdu {
  nonRepeaters: number;
  maxRepetitions: number;
  varbinds: Array<{ oid: string }>;
}

interface BulkAgent {
  getBulkRequest(socket: unknown, message: { pdu: BulkPdu }, rinfo: unknown): void;
  addGetNextVarbind(out: unknown[], oid: string): { oid: string; type: number } | undefined;
  request(socket: unknown, message: { pdu: BulkPdu }, rinfo: unknown): void;
}

/** Varbinds in one reply at most, like a card's PDU size limit. */
const MAX_VARBINDS = 1000;

export function answerBulkInFull(agent: unknown): void {
  const a = agent as BulkAgent;
  a.getBulkRequest = (socket, message, rinfo) => {
    const pdu = message.pdu;
    const out: unknown[] = [];
    const nonRepeaters = Math.min(pdu.nonRepeaters, pdu.varbinds.length);
    for (let n = 0; n < nonRepeaters; n++) a.addGetNextVarbind(out, pdu.varbinds[n].oid);
    const cursors = pdu.varbinds.slice(nonRepeaters).map((v) => v.oid);
    for (let rep = 0; rep < pdu.maxRepetitions && cursors.length && out.length < MAX_VARBINDS; rep++) {
      let allEnded = true;
      cursors.forEach((oid, i) => {
        const next = a.addGetNextVarbind(out, oid);
        if (next) cursors[i] = next.oid;
        if (next?.type !== snmp.ObjectType.EndOfMibView) allEnded = false;
      });
      if (allEnded) break;
    }
    pdu.varbinds = out as BulkPdu['varbinds'];
    a.request(socket, message, rinfo);
  };
}
