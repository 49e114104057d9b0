// InfluxDB line protocol: the text itself, then a real InfluxDB 1.x (Debian influxdb, started here on loopback with
// a temporary data directory) taking it on /write and giving back names, tags and values intact on /query, awkward
// device and outlet names included.
// @module-tag peer: influxd
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeKey, escapeMeasurement, escapeString, eventLine, nanoseconds, readingLines } from '../../src/integrations/influx';
import type { Reading } from '../../src/types';
import { demoReadings, event } from './helpers/demo';
import { startInfluxd, type Peer } from './helpers/peers';

let demo: Record<string, Reading>;
beforeAll(async () => {
  demo = await demoReadings();
});

describe('line protocol', () => {
  it('escapes each element by its own rules', () => {
    expect(escapeMeasurement('a b,c=d')).toBe('a\\ b\\,c=d');
    expect(escapeKey('rack "A", row=1')).toBe('rack\\ "A"\\,\\ row\\=1');
    expect(escapeKey('two\nlines')).toBe('two\\ lines');
    // Backslashes are literal, except where InfluxDB would read them as an escape.
    expect(escapeKey('C:\\racks\\a')).toBe('C:\\racks\\a');
    expect(escapeKey('ends \\')).toBe('ends\\ /');
    expect(escapeKey('a\\ b')).toBe('a/\\ b');
    expect(escapeString('say "hi" \\o/')).toBe('"say \\"hi\\" \\\\o/"');
  });

  it('writes nanoseconds exactly, past 2^53', () => {
    expect(nanoseconds(1764161234567)).toBe('1764161234567000000');
  });

  /** A line's measurement, tags and field text (split at unescaped spaces and commas). */
  function parse(line: string): { measurement: string; tags: Record<string, string>; fields: string; time: string } {
    // The head ends at the first unescaped space, the time is after the last one; quoted fields may hold spaces.
    const headEnd = line.search(/(?<!\\) /u);
    const head = line.slice(0, headEnd);
    const fields = line.slice(headEnd + 1, line.lastIndexOf(' '));
    const time = line.slice(line.lastIndexOf(' ') + 1);
    const [measurement, ...tags] = head.split(/(?<!\\),/u);
    const unescape = (t: string) => t.replace(/\\([ ,=])/gu, '$1');
    return { measurement, tags: Object.fromEntries(tags.map((t) => t.split(/(?<!\\)=/u).map(unescape))), fields, time };
  }
  const IDENTITY = { device: 'rack PDU', device_id: 'APC_SIM-PDU_8_SIM22276329', manufacturer: 'APC', model: 'SIM-PDU 8', serial: 'SIM22276329', firmware: 'v6.9.6' };

  it('writes a PDU as one line for the device and one per outlet, phase, group and probe', () => {
    const lines = readingLines(demo.pdu.device, demo.pdu.values, demo.pdu.timestamp).map(parse);
    const device = lines.find((l) => Object.keys(l.tags).length === Object.keys(IDENTITY).length)!;
    expect(device.tags).toEqual(IDENTITY);
    expect(device.fields).toMatch(/(^|,)input\.voltage=230(,|$)/);
    expect(device.fields).toContain('input.load.status="good"');
    expect(device.fields).toContain('device.uptime=');
    expect(device.time).toBe('1764161234567000000');
    const outlet1 = lines.find((l) => l.tags.outlet === '1')!;
    expect(outlet1).toEqual({ measurement: 'rackpower_pdu', tags: { ...IDENTITY, outlet: '1', outlet_name: 'web-01' }, fields: 'outlet.status="on",outlet.current=0.5,outlet.realpower=104,outlet.energy=605', time: '1764161234567000000' });
    expect(lines.find((l) => l.tags.phase === 'L1')!.fields).toMatch(/^input\.realpower=1480,/);
    expect(lines.find((l) => l.tags.group === '1')!.fields).toMatch(/^outlet\.group\.current=4\.1/);
    expect(lines.find((l) => l.tags.sensor === '1')!.tags.sensor_name).toBe('Rack inlet');
    // Every line carries the identity as tags, and no point repeats it as string fields.
    for (const l of lines) expect(l.tags).toMatchObject(IDENTITY);
    expect(lines.map((l) => l.fields).join('\n')).not.toMatch(/device\.(mfr|model|serial|type)=|ups\.(mfr|model|serial|firmware)=/);
    // Floats only: an `i` integer would clash with the float the same field got before.
    expect(lines.map((l) => l.fields).join('\n')).not.toMatch(/=\d+i(,|$)/);
  });

  it('writes an event to rackpower_event', () => {
    const e = { ...event(demo.ups, 'ONBATT'), previous: 'OL', current: 'OB DISCHRG' };
    expect(eventLine(e)).toBe('rackpower_event,device=rack\\ UPS,device_id=rack_UPS,event=ONBATT,kind=ups message="rack UPS: ONBATT",previous="OL",current="OB DISCHRG" 1764161235567000000');
  });
});

describe('a real InfluxDB 1.x', () => {
  let influx: Peer;
  const url = (path: string) => `http://127.0.0.1:${influx.port}${path}`;
  const query = async (q: string) => {
    const res = await fetch(url(`/query?db=rack&q=${encodeURIComponent(q)}`));
    const body = (await res.json()) as { results: { series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[]; error?: string }[] };
    if (body.results[0].error) throw new Error(body.results[0].error);
    return body.results[0].series ?? [];
  };

  beforeAll(async () => {
    influx = await startInfluxd();
    const created = await fetch(url('/query'), { method: 'POST', body: new URLSearchParams({ q: 'CREATE DATABASE rack' }) });
    expect(created.status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await influx?.stop();
  });

  it('stores awkward device and outlet names, tags and values intact', async () => {
    const device = 'rack "B", row=2 \\left';
    const outlet = 'db, "primary"=1';
    const pdu = { ...demo.pdu, device: { ...demo.pdu.device, name: device }, values: { ...demo.pdu.values, 'outlet.3.name': outlet } };
    const body = [...readingLines(pdu.device, pdu.values, pdu.timestamp), ...readingLines(demo.ups.device, demo.ups.values, demo.ups.timestamp), eventLine(event(pdu, 'COMMBAD'))].join('\n');
    const written = await fetch(url('/write?db=rack'), { method: 'POST', body });
    expect(written.status, await written.text()).toBe(204);

    const devices = await query('SHOW TAG VALUES FROM rackpower_pdu WITH KEY = "device"');
    expect(devices[0].values).toEqual([['device', device]]);
    const names = await query('SHOW TAG VALUES FROM rackpower_pdu WITH KEY = "outlet_name"');
    expect(names[0].values.map((v) => v[1])).toContain(outlet);

    const byOutlet = await query(`SELECT "outlet.current", "outlet.status" FROM rackpower_pdu WHERE "outlet" = '3' GROUP BY "device", "outlet_name"`);
    expect(byOutlet).toHaveLength(1);
    expect(byOutlet[0].tags).toEqual({ device, outlet_name: outlet });
    // Identity is queried by tag: one model's devices, whatever their names.
    const byModel = await query(`SELECT last("input.voltage") FROM rackpower_pdu WHERE "model" = 'SIM-PDU 8' AND "device_id" = 'APC_SIM-PDU_8_SIM22276329'`);
    expect(byModel).toHaveLength(1);
    expect(byOutlet[0].values).toEqual([['2025-11-26T12:47:14.567Z', demo.pdu.values['outlet.3.current'], 'on']]);

    const ups = await query(`SELECT "battery.charge", "ups.status", "input.voltage" FROM rackpower_ups WHERE "device" = 'rack UPS'`);
    expect(ups[0].values[0].slice(1)).toEqual([demo.ups.values['battery.charge'], demo.ups.values['ups.status'], demo.ups.values['input.voltage']]);

    const events = await query('SELECT "message" FROM rackpower_event GROUP BY "device", "event"');
    expect(events[0].tags).toEqual({ device, event: 'COMMBAD' });

    // Every number is a float field, so the next reading can never clash with an integer.
    const types = await query('SHOW FIELD KEYS FROM rackpower_pdu');
    const kinds = new Set(types[0].values.map((v) => v[1]));
    expect([...kinds].sort()).toEqual(['float', 'string']);
  });
});
