// `rackpower mqtt`: polls devices like the nodes do and publishes their readings and events to an MQTT broker, and
// with --ha the Home Assistant discovery of src/integrations/home-assistant.ts, the code the ha-discovery node uses.
// A bridge without Node-RED, and a shard of a scaled-out deployment (docs/scaling.md).
import { randomBytes } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { ReadingTracker } from '../battery/tracker';
import { openDevice } from '../device';
import { RackpowerError } from '../errors';
import { HA_DEFAULTS, HomeAssistantPublisher, type MqttMessage } from '../integrations/home-assistant';
import { MessageBuilder, topicName } from '../normalize/messages';
import { DevicePoller } from '../polling/poller';
import { namedDevices } from './devices';
import { untilSignal } from './signals';
import { defineCommand, parseCommand, URL_FORMS } from './spec';
import type { DeviceEvent } from '../types';
import { FileStore, MemoryStore, defaultStateFile } from './state';

export const ENV_MQTT_PASSWORD = 'RACKPOWER_MQTT_PASSWORD';
const CONNECT_TIMEOUT_MS = 10_000;

interface Options {
  broker: URL;
  ha: boolean;
  prefix: string;
  discoveryPrefix: string;
  statusTopic: string;
  intervalMs: number;
  /** Battery history and energy counters: a state file, or undefined for memory only. */
  stateFile: string | undefined;
}

function options(args: string[]): { urls: string[]; opts: Options } {
  const { values, positionals } = parseCommand(MQTT, args);
  if (!values.broker) throw new RackpowerError('CONFIG', 'mqtt needs --broker mqtt://host[:port]');
  let broker: URL;
  try {
    broker = new URL(values.broker);
  } catch {
    throw new RackpowerError('CONFIG', `not a broker URL: ${values.broker} (mqtt://host[:port], mqtts://...)`);
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(broker.protocol)) throw new RackpowerError('CONFIG', `unsupported broker scheme ${broker.protocol}`);
  // Like SNMPv3 keys: a password on the command line ends up in shell histories and process lists.
  if (broker.password) throw new RackpowerError('CONFIG', `put the broker password in ${ENV_MQTT_PASSWORD}, not in the URL`);
  const seconds = Number(values.interval);
  if (!Number.isFinite(seconds) || seconds < 1) throw new RackpowerError('CONFIG', `--interval must be a number of seconds >= 1 (got "${values.interval}")`);
  return {
    urls: positionals,
    opts: {
      broker,
      ha: values.ha,
      prefix: values.prefix,
      discoveryPrefix: values['discovery-prefix'],
      statusTopic: values.ha ? values['status-topic'] : '',
      intervalMs: seconds * 1000,
      stateFile: values.state === 'none' ? undefined : (values.state ?? defaultStateFile()),
    },
  };
}

async function connect(opts: Options): Promise<MqttClient> {
  const password = process.env[ENV_MQTT_PASSWORD];
  const url = new URL(opts.broker.href);
  url.username = '';
  try {
    return await connectAsync(
      url.href,
      {
        protocolVersion: 5,
        clientId: `rackpower-${randomBytes(4).toString('hex')}`,
        connectTimeout: CONNECT_TIMEOUT_MS,
        ...(opts.broker.username && { username: decodeURIComponent(opts.broker.username) }),
        ...(password && { password }),
        // The broker says `offline` for us if we vanish without a word (crash, network cut).
        ...(opts.statusTopic && { will: { topic: opts.statusTopic, payload: Buffer.from('offline'), retain: true, qos: 1 as const } }),
      },
      false,
    );
  } catch (err) {
    const message = (err as Error).message;
    throw new RackpowerError(/not authorized|bad user/iu.test(message) ? 'AUTH' : 'UNREACHABLE', `broker ${url.host}: ${message}`, { cause: err });
  }
}

/** `rackpower mqtt <url>... --broker mqtt://host[:port] [--ha] [--prefix P]` until Ctrl-C. */
export async function runMqtt(args: string[]): Promise<void> {
  const { urls, opts } = options(args);
  const store = opts.stateFile ? new FileStore(opts.stateFile) : new MemoryStore();
  const devices = namedDevices(urls).map(({ target, name }) => ({ name, opened: openDevice(target) }));
  const client = await connect(opts);
  const ha = opts.ha ? new HomeAssistantPublisher({ discoveryPrefix: opts.discoveryPrefix, base: opts.prefix, statusTopic: opts.statusTopic }) : undefined;
  const builder = new MessageBuilder({ mode: 'always', prefix: opts.prefix });
  const publish = (messages: MqttMessage[]): void => {
    for (const m of messages) client.publish(m.topic, m.payload, { retain: m.retain, qos: m.qos }, (err) => err && process.stderr.write(`rackpower: publish ${m.topic}: ${err.message}\n`));
  };
  if (ha) {
    client.on('message', (topic, payload) => {
      if (topic === ha.birthTopic && payload.toString().trim() === 'online') publish(ha.birth());
    });
    await client.subscribeAsync(ha.birthTopic, { qos: 1 });
  }

  const trackers: ReadingTracker[] = [];
  const pollers = devices.map(({ name, opened }) => {
    const poller = new DevicePoller(opened.reader, { name, address: opened.address, intervalMs: opts.intervalMs });
    // Battery truth and energy counters, as the device nodes add them.
    const tracker = new ReadingTracker({ intervalMs: opts.intervalMs }, store);
    trackers.push(tracker);
    const event = (e: DeviceEvent): void => {
      if (ha) publish(ha.handle([{ type: 'event', event: e }]));
      else publish([{ topic: builder.event(e).topic, payload: JSON.stringify(e), retain: false, qos: 1 }]);
    };
    poller.on('reading', (raw) => {
      const { reading, events } = tracker.observe(raw);
      if (ha) publish(ha.handle([{ type: 'reading', ...reading }]));
      else for (const m of builder.reading(reading)) publish([{ topic: m.topic, payload: JSON.stringify(m.payload), retain: false, qos: 0 }]);
      events.forEach(event);
    });
    poller.on('event', event);
    poller.on('failure', (err) => process.stderr.write(`rackpower: ${name}: ${err.code.toLowerCase()}: ${err.message}\n`));
    process.stdout.write(`${name} ${opened.address} → ${opts.prefix}/${topicName(name)}\n`);
    poller.start();
    return poller;
  });

  await untilSignal();
  await Promise.all(pollers.map((p) => p.stop()));
  trackers.forEach((t) => t.flush());
  store.write();
  // Devices offline and our status `offline`, sent before a clean disconnect (the will only covers crashes).
  if (ha) publish([...ha.close(false), ...ha.offline()]);
  await client.endAsync();
}

export const MQTT = defineCommand({
  name: 'mqtt',
  summary: 'poll devices and publish readings and events to an MQTT broker (with --ha: Home Assistant discovery)',
  args: '<url[#name]>... --broker mqtt://[user@]host[:port] [options]',
  positionals: { min: 1, max: Infinity, missing: 'mqtt needs at least one device URL' },
  options: {
    broker: { type: 'string', value: 'URL', help: 'mqtt://, mqtts://, ws:// or wss:// broker (required); password from ' + ENV_MQTT_PASSWORD },
    ha: { type: 'boolean', default: false, help: 'publish Home Assistant MQTT discovery' },
    prefix: { type: 'string', value: 'P', default: HA_DEFAULTS.base, help: 'topic prefix of readings and events' },
    'discovery-prefix': { type: 'string', value: 'P', default: HA_DEFAULTS.discoveryPrefix, help: "Home Assistant's discovery prefix" },
    'status-topic': { type: 'string', value: 'T', default: HA_DEFAULTS.statusTopic, help: 'online/offline topic of this bridge (its MQTT will)' },
    interval: { type: 'string', value: 'S', default: '10', help: 'seconds between polls, at least 1' },
    state: { type: 'string', value: 'FILE|none', help: 'battery history and energy counters kept across runs (default ~/.local/state/rackpower/state.json)' },
  },
  notes: [URL_FORMS, 'A #name after a URL names the device (its topic and Home Assistant device); default: the host, its port unless\n161, the Modbus unit. Two devices with one name are refused.'],
  run: (args): Promise<void> => runMqtt(args),
});
