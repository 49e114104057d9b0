// The message contract (docs/messages.md, schema/reading.schema.json) holds for what the engine really sends:
// every device of the simulated rack, read over its real protocol, through the message builder.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDevice } from '../../src/device';
import { MessageBuilder } from '../../src/normalize/messages';
import { startRack } from '../../src/sim/rack';
import { loadScenario } from '../../src/sim/scenario';
import { parseTarget } from '../../src/url';

const schema = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'schema', 'reading.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);

let rack: Awaited<ReturnType<typeof startRack>>;
beforeAll(async () => {
  rack = await startRack(loadScenario('demo'), { speed: 0 });
});
afterAll(() => rack?.close());

describe('reading messages match the published schema', () => {
  it('for every simulated device kind', async () => {
    const kinds = new Set<string>();
    for (const d of rack.devices) {
      const device = openDevice(parseTarget(d.url));
      try {
        const id = await device.reader.identify();
        const values = await device.reader.read();
        const [msg] = new MessageBuilder({ mode: 'always' }).reading({
          device: { name: d.name, address: device.address, ...id },
          values,
          timestamp: Date.now(),
        });
        // JSON round trip: what a flow (or MQTT) really carries.
        const wire = JSON.parse(JSON.stringify(msg));
        expect(validate(wire), `${d.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
        kinds.add(wire.device.kind);
      } finally {
        await device.close();
      }
    }
    expect([...kinds].sort()).toEqual(['meter', 'pdu', 'sensor', 'ups']);
  });

  it('rejects a nested payload and a number sent as text where the schema says so', () => {
    const base = {
      topic: 't', device: { name: 'x', kind: 'ups', profile: 'p', address: 'a' }, timestamp: 1, changes: {},
      flags: Object.fromEntries(['online', 'onBattery', 'lowBattery', 'replaceBattery', 'charging', 'discharging', 'bypass', 'overload', 'off', 'calibrating', 'trim', 'boost', 'forcedShutdown'].map((f) => [f, false])),
    };
    expect(validate({ ...base, payload: { battery: { charge: 100 } } })).toBe(false);
    expect(validate({ ...base, payload: { 'battery.charge': 100 } })).toBe(true);
    expect(validate({ ...base, payload: { 'Battery Charge': 100 } })).toBe(false);
  });
});
