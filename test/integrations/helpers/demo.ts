// Real readings of the demo rack (scenarios/demo.json), taken once through the same readers the nodes use, for the
// output mappings to be tested on what devices really say rather than on hand-made payloads.
import { openDevice } from '../../../src/device';
import { startRack } from '../../../src/sim/rack';
import { loadScenario } from '../../../src/sim/scenario';
import type { DeviceEvent, EventName, Reading } from '../../../src/types';
import { parseTarget } from '../../../src/url';

/** The names the example flows give the demo devices. */
export const DEMO_NAMES: Record<string, string> = { ups: 'rack UPS', pdu: 'rack PDU', sensor: 'rack sensor', meter: 'rack meter' };

export async function demoReadings(names: Record<string, string> = DEMO_NAMES): Promise<Record<string, Reading>> {
  const rack = await startRack(loadScenario('demo'), { speed: 0 });
  try {
    const out: Record<string, Reading> = {};
    for (const d of rack.devices) {
      const device = openDevice(parseTarget(d.url));
      try {
        const id = await device.reader.identify();
        const values = await device.reader.read();
        out[d.name] = { device: { name: names[d.name] ?? d.name, address: device.address, ...id }, values, timestamp: 1764161234567 };
      } finally {
        await device.close();
      }
    }
    return out;
  } finally {
    await rack.close();
  }
}

export function event(reading: Reading, name: EventName, timestamp = reading.timestamp + 1000): DeviceEvent {
  return { event: name, device: reading.device, previous: undefined, current: undefined, timestamp, message: `${reading.device.name}: ${name}` };
}
