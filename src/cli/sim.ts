// `rackpower sim`: runs a simulated rack until Ctrl-C, printing one line per device so its URLs can be pasted
// into `rackpower read`, a Node-RED flow or a benchmark.
import { parseArgs } from 'node:util';
import { RackpowerError } from '../errors';
import { startRack } from '../sim/rack';
import { DEFAULT_SCENARIO, loadScenario } from '../sim/scenario';
import { untilSignal } from './signals';

function numberOption(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min) throw new RackpowerError('CONFIG', `--${name} must be a number >= ${min} (got "${value}")`);
  return n;
}

/** `rackpower sim [--scenario FILE|NAME] [--port BASE] [--speed X] [--community C] [--copies N] [--ups-servers]` */
export async function runSim(args: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        scenario: { type: 'string', default: DEFAULT_SCENARIO },
        port: { type: 'string' },
        speed: { type: 'string' },
        community: { type: 'string' },
        copies: { type: 'string' },
        'ups-servers': { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    throw new RackpowerError('CONFIG', (err as Error).message);
  }
  const { values } = parsed;
  const basePort = numberOption(values.port, 'port', 0);
  if (basePort !== undefined && (!Number.isInteger(basePort) || basePort > 65535)) throw new RackpowerError('CONFIG', '--port must be a port number (0-65535)');
  const scenario = loadScenario(values.scenario);
  const rack = await startRack(scenario, {
    basePort,
    speed: numberOption(values.speed, 'speed', 0),
    community: values.community,
    copies: numberOption(values.copies, 'copies', 1),
    // Like a real PDU and UPS card: outlet control and UPS commands accept SETs (the outlet node's guards decide).
    control: true,
    upsServers: values['ups-servers'],
  });
  for (const d of [...rack.devices, ...rack.servers]) process.stdout.write(`${d.name} ${d.kind} ${d.url} ${d.profile}\n`);
  await untilSignal();
  await rack.close();
}
