// The floors: for each kind of device, the least a poller could do to get the same answers. Each replays, per poll,
// exactly the requests one poll of ours sends (recorded by bench/run.mjs at the protocol client: OIDs and GET or
// GETBULK, Modbus function/start/count, the bytes written to upsd or apcupsd) over the bare library or socket, with
// no decoding, typing or checking beyond what the library itself does.
//   SNMP:    one persistent net-snmp session per device.
//   Modbus:  one modbus-serial TCP client per device (one connection each, as ours).
//   NUT:     one persistent TCP connection per device; the recorded line, then lines up to `END LIST …`.
//   apcupsd: one TCP connection per poll (as apcaccess and ours), the recorded message, records up to the empty one.
import { createRequire } from 'node:module';
import net from 'node:net';

const require = createRequire(import.meta.url);
const snmp = require('net-snmp');
const ModbusRTU = require('modbus-serial');

/**
 * A floor for device `d` (`{ url, name, kind }`): `{ requests, poll(), close() }`. `poll()` resolves with the number
 * of values the replies carried (varbinds, registers, VAR lines, status lines) or rejects.
 */
export async function startFloor(d, recorded) {
  const url = new URL(d.url);
  const timeout = Number(url.searchParams.get('timeout') ?? 2000);
  if (url.protocol === 'snmp:') return snmpFloor(url, timeout, recorded);
  if (url.protocol === 'modbus-tcp:') return modbusFloor(url, timeout, recorded);
  if (url.protocol === 'nut:') return nutFloor(url, timeout, recorded, d.name);
  if (url.protocol === 'apcupsd:') return nisFloor(url, timeout, recorded);
  throw new Error(`no floor for ${url.protocol}`);
}

function snmpFloor(url, timeout, plan) {
  const session = snmp.createSession(url.hostname, decodeURIComponent(url.username) || 'public', {
    port: Number(url.port),
    timeout,
    retries: Number(url.searchParams.get('retries') ?? 1),
    version: snmp.Version2c,
    idBitsSize: 32,
  });
  const send = (r) =>
    new Promise((resolve, reject) => {
      const cb = (err, res) => (err ? reject(err) : resolve(res));
      if (r.op === 'get') session.get(r.oids, cb);
      else session.getBulk(r.oids, r.nonRepeaters, r.maxRepetitions, cb);
    });
  return {
    requests: plan.length,
    async poll() {
      let values = 0;
      for (const r of plan) {
        const res = await send(r);
        values += r.op === 'get' ? res.length : res.reduce((n, rows) => n + rows.length, 0);
      }
      return values;
    },
    close: () => session.close(),
  };
}

async function modbusFloor(url, timeout, plan) {
  const client = new ModbusRTU();
  await client.connectTCP(url.hostname, { port: Number(url.port) });
  client.setID(Number(url.searchParams.get('unit') ?? 1));
  client.setTimeout(timeout);
  return {
    requests: plan.length,
    async poll() {
      let values = 0;
      for (const r of plan) {
        const res = r.function === 3 ? await client.readHoldingRegisters(r.start, r.count) : await client.readInputRegisters(r.start, r.count);
        values += res.data.length;
      }
      return values;
    },
    close: () => new Promise((resolve) => client.close(resolve)),
  };
}

/** upsd: the recorded request lines (with this device's UPS name), each answered by lines up to its END line. */
async function nutFloor(url, timeout, plan, name) {
  const ups = decodeURIComponent(url.pathname.slice(1)) || name;
  const socket = net.connect({ host: url.hostname, port: Number(url.port) });
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.setEncoding('latin1');
  const askLine = listAsker(socket);
  const ask = (r) => askLine(r.line.replaceAll('{ups}', ups), timeout);
  return oneAtATime(plan, ask, () => socket.destroy());
}

/**
 * The floor's whole handling of upsd replies on `socket` (text chunks): `ask(line, timeout)` writes a request and
 * resolves with its reply's row count once the reply's END line has arrived.
 */
export function listAsker(socket) {
  let text = '';
  let waiting;
  socket.on('data', (chunk) => {
    text += chunk;
    if (waiting && text.endsWith(waiting.end)) {
      const w = waiting;
      waiting = undefined;
      clearTimeout(w.timer);
      const lines = text.split('\n').length - 3; // BEGIN, END and the empty string after the last newline
      text = '';
      w.resolve(lines);
    }
  });
  socket.on('error', (err) => waiting?.reject(err));
  return (line, timeout) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })), timeout);
      waiting = { end: `END ${line.slice(0, -1)}\n`, resolve, reject, timer };
      socket.write(line);
    });
}

/** apcupsd's NIS: a connection per request; the recorded message, then 2-byte-length records up to an empty one. */
function nisFloor(url, timeout, plan) {
  const ask = (r) =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ host: url.hostname, port: Number(url.port) });
      const timer = setTimeout(() => (socket.destroy(), reject(Object.assign(new Error('timeout'), { code: 'TIMEOUT' }))), timeout);
      let buffer = Buffer.alloc(0);
      let records = 0;
      socket.once('connect', () => socket.write(Buffer.from(r.bytes, 'base64')));
      socket.on('data', (chunk) => {
        buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
        while (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
          const length = buffer.readUInt16BE(0);
          buffer = buffer.subarray(2 + length);
          if (length === 0) {
            clearTimeout(timer);
            socket.destroy();
            resolve(records);
            return;
          }
          records++;
        }
      });
      socket.once('error', (err) => (clearTimeout(timer), reject(err)));
    });
  return oneAtATime(plan, ask, () => undefined);
}

/** A floor that sends its recorded requests one after another, as a poll of ours does, counting the values. */
function oneAtATime(plan, ask, close) {
  return {
    requests: plan.length,
    async poll() {
      let values = 0;
      for (const r of plan) values += await ask(r);
      return values;
    },
    close,
  };
}
