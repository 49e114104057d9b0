// `rackpower read --verbose`: the built CLI against a simulated UPS whose battery.charge the relay turns into Null,
// as agents say "not available": the value is absent from the reading, and the verbose output says why.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASN1, decodeMessage, encodeMessage, oidText } from '../../src/fuzz/ber';
import { startUdpProxy, type UdpProxy } from '../../src/fuzz/udp-proxy';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { parseScenario } from '../../src/sim/scenario';
import { ensureBuilt } from '../harness/build';
import { run } from '../harness/process';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const CHARGE = '1.3.6.1.2.1.33.1.2.4.0';

let rack: RunningRack;
let proxy: UdpProxy;
let url: string;

beforeAll(async () => {
  ensureBuilt();
  rack = await startRack(parseScenario({ name: 'verbose', seed: 3, devices: [{ name: 'ups', profile: 'ietf-ups' }] }, 'verbose'), { speed: 0 });
  const agent = new URL(rack.devices[0].url);
  proxy = await startUdpProxy(
    { host: agent.hostname, port: Number(agent.port) },
    {
      reply: (buf) => {
        const m = decodeMessage(buf);
        m.varbinds = m.varbinds.map((vb) => (oidText(vb.oid) === CHARGE ? { oid: vb.oid, value: { tag: ASN1.null, value: Buffer.alloc(0) } } : vb));
        return [encodeMessage(m)];
      },
    },
  );
  url = `snmp://127.0.0.1:${proxy.port}?timeout=2000`;
});
afterAll(async () => {
  await proxy?.close();
  await rack?.close();
});

describe('rackpower read --verbose', () => {
  it('prints the values, then what was left out and why, and the connection counters', async () => {
    const r = await run(process.execPath, [CLI, 'read', url, '--verbose']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/^battery\.charge +\d/mu);
    expect(r.stdout).toMatch(/^battery\.voltage +\d/mu);
    expect(r.stdout).toMatch(/^left out of this reading\nbattery\.charge\s+absent: null$/mu);
    expect(r.stdout).toMatch(/^connection\n(.*\n)*malformedReplies\s+0$/mu);
  });

  it('--json --verbose adds a diagnostics object; plain --json has none', async () => {
    const verbose = JSON.parse((await run(process.execPath, [CLI, 'read', url, '--json', '--verbose'])).stdout) as { values: Record<string, unknown>; diagnostics: unknown };
    expect(verbose.values['battery.charge']).toBeUndefined();
    expect(verbose.diagnostics).toMatchObject({ polls: 1, absent: { null: 1 }, lastAbsent: { 'battery.charge': 'null' }, connection: { tooBig: 0 } });
    const plain = JSON.parse((await run(process.execPath, [CLI, 'read', url, '--json'])).stdout) as Record<string, unknown>;
    expect(plain.diagnostics).toBeUndefined();
  });
});
