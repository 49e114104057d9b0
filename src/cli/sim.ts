// `rackpower sim`: runs a simulated rack until Ctrl-C, printing one line per device so its URLs can be pasted
// into `rackpower read`, a Node-RED flow or a benchmark.
import { RackpowerError } from '../errors';
import { startRack } from '../sim/rack';
import { DEFAULT_SCENARIO, loadScenario } from '../sim/scenario';
import { untilSignal } from './signals';
import { defineCommand, parseCommand } from './spec';

function numberOption(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min) throw new RackpowerError('CONFIG', `--${name} must be a number >= ${min} (got "${value}")`);
  return n;
}

/** `rackpower sim [--scenario FILE|NAME] [--port BASE] [--speed X] [--community C] [--copies N] [--ups-servers]` */
export async function runSim(args: string[]): Promise<void> {
  const { values } = parseCommand(SIM, args);
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
    upsServers: values['ups-servers'] === true,
  });
  for (const d of [...rack.devices, ...rack.servers]) process.stdout.write(`${d.name} ${d.kind} ${d.url} ${d.profile}\n`);
  await untilSignal();
  await rack.close();
}

export const SIM = defineCommand({
  name: 'sim',
  summary: 'run the simulated rack (SNMP agents and Modbus servers) until Ctrl-C; prints "<name> <kind> <url> <profile>"',
  args: '[options]',
  positionals: { min: 0, max: 0 },
  options: {
    scenario: { type: 'string', value: 'FILE|NAME', default: DEFAULT_SCENARIO, help: 'a scenario file, or a shipped one: demo, vendors' },
    port: { type: 'string', value: 'BASE', help: 'first port; devices take the next ones (default: free ports)' },
    speed: { type: 'string', value: 'X', help: 'simulated seconds per second; 0 pauses the model' },
    community: { type: 'string', value: 'C', help: 'the SNMP community the agents answer' },
    copies: { type: 'string', value: 'N', help: 'the rack N times over (benchmarks)' },
    'ups-servers': { type: 'boolean', help: 'also serve each UPS through a NUT server (upsd protocol) and an apcupsd NIS endpoint' },
  },
  run: (args): Promise<void> => runSim(args),
});
