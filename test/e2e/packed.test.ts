// The published package works: `npm pack` of this tree, installed with npm into fresh Node-RED user folders, loaded
// by real Node-RED processes (4.1 on this Node.js 20, 5.0 on Node.js 22), the example flow deployed through the
// admin API against a simulated rack, readings watched on the editor's websocket, and a redeploy without the nodes
// shown to close their sockets. Node-RED 5 and Node.js 22 come from the npm registry into node_modules/.cache/rackpower-nr5 once.
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { loadScenario } from '../../src/sim/scenario';
import { freeTcpPort } from '../harness/ports';
import {
  Comms,
  NODE_TYPES,
  NodeRed,
  PACKAGE,
  ROOT,
  debugMsg,
  nodeRed4,
  nodeRed5,
  pack,
  prepareUserDir,
  run,
  socketsOf,
  until,
  type Packed,
  type Runtime,
} from './harness';

type FlowNode = { id: string; type: string; name?: string; [key: string]: unknown };

/** The simulated-rack.json under examples/, in whichever sub-folder it lives (Node-RED shows sub-folders as folders). */
const example = (): FlowNode[] => {
  const file = packed.repo.examples.find((f) => path.posix.basename(f) === 'simulated-rack.json');
  if (!file) throw new Error(`no simulated-rack.json under examples/: ${packed.repo.examples.join(', ')}`);
  return JSON.parse(readFileSync(path.join(ROOT, file), 'utf8'));
};
const DEVICE_TYPES = ['rackpower-ups', 'rackpower-pdu', 'rackpower-sensor', 'rackpower-meter'];

/** The ids of the profile files (profiles/<protocol>/<id>/profile.json) under an installed package's profiles/. */
function shippedProfileIds(packageDir: string): string[] {
  const ids: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name === 'profile.json') ids.push(JSON.parse(readFileSync(path.join(dir, e.name), 'utf8')).id);
    }
  };
  walk(path.join(packageDir, 'profiles'));
  return ids.sort();
}

const work = mkdtempSync(path.join(os.tmpdir(), 'rackpower-e2e-'));
let packed: Packed;
const runtimes: Partial<Record<'nr4' | 'nr5', Runtime>> = {};

beforeAll(async () => {
  packed = await pack(work);
  runtimes.nr4 = nodeRed4();
  runtimes.nr5 = await nodeRed5();
  await Promise.all(
    (['nr4', 'nr5'] as const).map((key) => prepareUserDir(path.join(work, key), packed.tarball, runtimes[key]!)),
  );
}, 300_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const DEVICE_KINDS = ['ups', 'pdu', 'sensor', 'meter'];

describe('the packed tarball', () => {
  it('holds the nodes, their editor files, icons, locales, profiles, schemas, scenarios and examples, and no sources', () => {
    const files = new Set(packed.files);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const expected = ['package.json', 'README.md', 'LICENSE', pkg.main, pkg.types, pkg.bin.rackpower];
    for (const js of Object.values(pkg['node-red'].nodes) as string[]) {
      const base = path.posix.basename(js, '.js');
      // Node-RED loads <node>.js and <node>.html side by side, and the catalogs and help from locales/ next to them.
      expected.push(js, js.replace(/\.js$/, '.html'), `dist/nodes/locales/en-US/${base}.html`);
      // A message catalog ships for every node that has one in the sources (the device kinds' are built from device.json).
      if (existsSync(path.join(ROOT, 'nodes', 'locales', 'en-US', `${base}.json`)) || DEVICE_KINDS.includes(base)) {
        expected.push(`dist/nodes/locales/en-US/${base}.json`);
      }
    }
    // The build copies icons/ beside the nodes; the data folders ship as they are.
    for (const icon of packed.repo.icons) expected.push(`dist/nodes/${icon}`);
    for (const dir of ['schema', 'scenarios', 'examples']) expected.push(...packed.repo[dir]);
    // Of a device package only its profile.json ships: the recordings are test data, some under their source's
    // licence (GPL-3.0 LibreNMS walks), and expect.json / SOURCE.md describe them.
    const profileFiles = packed.repo.profiles.filter((f) => path.posix.basename(f) === 'profile.json');
    expected.push(...profileFiles);
    expect(expected.filter((f) => !files.has(f)), 'missing from the tarball').toEqual([]);
    expect(packed.files.filter((f) => f.startsWith('profiles/')), 'only profile.json of each package').toEqual(profileFiles);
    for (const id of ['snmp/ietf-ups', 'snmp/apc-rpdu2', 'modbus/xy-md02', 'modbus/eastron-sdm120']) expect(files.has(`profiles/${id}/profile.json`), id).toBe(true);
    for (const f of ['schema/profile.schema.json', 'scenarios/demo.json']) expect(files.has(f), f).toBe(true);
    expect(packed.files.filter((f) => /^examples\/(.+\/)?simulated-rack\.json$/.test(f))).toHaveLength(1);
    // Sources, tests, scripts and local state stay out.
    const stray = packed.files.filter((f) => /^(src|nodes|test|scripts|bench|icons|node_modules|\.node-red|coverage)\//.test(f) || /^dist\/test\//.test(f));
    expect(stray, 'files that should not be published').toEqual([]);
    expect(packed.files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    // Nothing compiled from a source that no longer exists (a build that never cleans dist/ would publish it).
    const orphans = packed.files.filter((f) => {
      const m = /^dist\/((?:src|nodes)\/.+?)(?:\.d\.ts|\.js\.map|\.js)$/.exec(f);
      return m !== null && !existsSync(path.join(ROOT, `${m[1]}.ts`));
    });
    expect(orphans, 'compiled files without a source in the tarball').toEqual([]);
  });
});

for (const key of ['nr4', 'nr5'] as const) {
  const label = key === 'nr4' ? 'Node-RED 4.1 on Node.js 20' : 'Node-RED 5.0 on Node.js 22';
  describe(label, () => {
    const userDir = path.join(work, key);
    let runtime: Runtime;
    let rack: RunningRack;
    let red: NodeRed;
    let comms: Comms;
    /** Requests the simulator has answered (or dropped), counted through the model every agent consults per request. */
    let requests = 0;
    let udpBaseline = 0;
    let flow: FlowNode[];
    let modbusPort = 0;

    beforeAll(async () => {
      runtime = runtimes[key]!;
      // speed 0: the scenario's clock stands still, so no power cut or fault turns a status yellow or red meanwhile.
      for (let attempt = 0; !rack; attempt++) {
        try {
          rack = await startRack(loadScenario('demo'), { speed: 0, basePort: await freeTcpPort() });
        } catch (err) {
          if (attempt > 5) throw err;
        }
      }
      const fault = rack.model.fault.bind(rack.model);
      rack.model.fault = (name: string) => {
        requests++;
        return fault(name);
      };
      red = await NodeRed.start(runtime, userDir, await freeTcpPort());
      udpBaseline = socketsOf(red.pid).filter((s) => s.proto === 'udp').length;
      comms = await Comms.connect(red, ['status/#', 'debug']);

      // The example flow, its config nodes pointed at this rack's ports.
      flow = example();
      const byId = new Map(flow.map((n) => [n.id, n]));
      for (const n of flow.filter((n) => DEVICE_TYPES.includes(n.type))) {
        const device = rack.devices.find((d) => `rackpower-${d.kind}` === n.type);
        if (!device) throw new Error(`the demo rack has no ${n.type}`);
        const config = byId.get((n.transport === 'snmp' ? n.endpoint : n.connection) as string);
        if (!config) throw new Error(`${n.type} ${n.id} has no config node`);
        const url = new URL(device.url);
        config.host = url.hostname;
        config.port = url.port;
        if (config.type === 'rackpower-modbus-connection') modbusPort = Number(url.port);
      }
      // The community goes in as a Node-RED credential in the deploy body, as the editor sends it.
      for (const n of flow) if (n.type === 'rackpower-snmp-endpoint') n.credentials = { community: 'public' };
      await red.deploy(flow);
    }, 90_000);

    afterAll(async () => {
      comms?.close();
      await red?.stop();
      await rack?.close();
    }, 30_000);

    it('runs the tarball installed by npm, not the working tree', async () => {
      const installed = path.join(userDir, 'node_modules', PACKAGE);
      expect(lstatSync(installed).isSymbolicLink()).toBe(false);
      expect(existsSync(path.join(installed, 'dist', 'nodes', 'ups.js'))).toBe(true);
      expect(existsSync(path.join(installed, 'src'))).toBe(false);
      for (const dep of ['net-snmp', 'modbus-serial', 'ajv']) expect(existsSync(path.join(userDir, 'node_modules', dep)), dep).toBe(true);
      // modbus-serial's serialport ships N-API prebuilt binaries, whichever Node.js npm ran on: this one loads them.
      const native = await run(
        runtime.node,
        ['-e', "const d = require('path').dirname(require.resolve('@serialport/bindings-cpp/package.json')); require(require.resolve('node-gyp-build', { paths: [d] }))(d)"],
        { cwd: userDir, timeoutMs: 30_000 },
      );
      expect(native.code, native.stderr).toBe(0);
      expect(red.log).toContain(`Node.js  version: v${key === 'nr4' ? process.versions.node : '22.'}`);
      expect(red.log).toMatch(key === 'nr4' ? /Node-RED version: v4\.1\./ : /Node-RED version: v5\.0\.7/);
    });

    it('registers the six node types, enabled and without errors, with their icons', async () => {
      const sets = (await red.get('/nodes')).json<Array<{ id: string; module: string; types: string[]; enabled: boolean; local?: boolean; err?: unknown }>>();
      const ours = sets.filter((s) => s.module === PACKAGE);
      expect(ours.flatMap((s) => s.types).sort()).toEqual([...NODE_TYPES].sort());
      for (const s of ours) {
        expect(s.err, s.id).toBeUndefined();
        expect(s.enabled, s.id).toBe(true);
        expect(s.local, `${s.id} loaded from the user dir`).toBe(true);
      }
      const module = (await red.get(`/nodes/${PACKAGE}`)).json<{ version: string }>();
      expect(module.version).toBe(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
      const icons = (await red.get('/icons')).json<Record<string, string[]>>();
      const shippedIcons = packed.repo.icons.filter((f) => f.endsWith('.svg')).map((f) => path.posix.basename(f));
      expect(shippedIcons).toEqual(expect.arrayContaining(['meter.svg', 'modbus.svg', 'pdu.svg', 'sensor.svg', 'snmp.svg', 'ups.svg']));
      expect(icons[PACKAGE]?.sort()).toEqual(shippedIcons.sort());
      const svg = await red.request('GET', `/icons/${PACKAGE}/ups.svg`, undefined, { Accept: '*/*' });
      expect(svg.status).toBe(200);
      expect(svg.text).toContain('<svg');
      // The editor's HTML and the message catalogs come from the installed package.
      const html = await red.request('GET', '/nodes', undefined, { Accept: 'text/html' });
      for (const type of NODE_TYPES) {
        expect(html.text).toContain(`data-template-name="${type}"`);
        expect(html.text).toContain(`data-help-name="${type}"`);
      }
      const catalog = (await red.get(`/nodes/${PACKAGE}/rackpower-ups/messages?lng=en-US`)).json<Record<string, unknown>>();
      expect(catalog).toHaveProperty('rackpower-ups');
    });

    it('serves the profile list, the example flow and the rackpower command', async () => {
      // Every profile the installed package ships, read from its profiles/ folder, and at least the simulator's four.
      const shipped = shippedProfileIds(path.join(userDir, 'node_modules', PACKAGE));
      expect(shipped).toEqual(expect.arrayContaining(['apc-rpdu2', 'eastron-sdm120', 'ietf-ups', 'xy-md02']));
      const profiles = (await red.get('/rackpower/profiles')).json<Array<{ id: string }>>();
      expect(profiles.map((p) => p.id).sort()).toEqual(shipped);

      // Import > Examples: the library "examples" lists modules, then folders (strings) and flows ({fn}).
      const modules = (await red.get('/library/examples/flows/')).json<string[]>();
      expect(modules).toContain(PACKAGE);
      const found: string[] = [];
      const walk = async (dir: string): Promise<void> => {
        for (const entry of (await red.get(`/library/examples/flows/${dir}`)).json<Array<string | { fn: string }>>()) {
          if (typeof entry === 'string') await walk(`${dir}/${entry}`);
          else found.push(`${dir}/${entry.fn}`);
        }
      };
      await walk(PACKAGE);
      const offered = found.find((f) => f.endsWith('/simulated-rack'));
      expect(offered, `examples offered: ${found.join(', ')}`).toBeDefined();
      const served = (await red.get(`/library/examples/flows/${offered}`)).json();
      expect(served).toEqual(example());

      const cli = await run(runtime.node, [path.join(userDir, 'node_modules', PACKAGE, 'dist', 'src', 'cli', 'main.js'), 'profiles'], { cwd: os.tmpdir(), timeoutMs: 30_000 });
      expect(cli.code, cli.stderr).toBe(0);
      expect(cli.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]).sort()).toEqual(shipped);
    });

    it('deploys the example flow: every device node turns green and readings reach the debug sidebar', async () => {
      const deviceIds = flow.filter((n) => DEVICE_TYPES.includes(n.type)).map((n) => n.id);
      const idOf = (name: string): string => flow.find((n) => n.type === 'debug' && n.name === name)!.id;
      const green = (id: string): boolean => comms.messages.some((m) => m.topic === `status/${id}` && (m.data as { fill?: string })?.fill === 'green');
      const reading = (debugName: string, variable: string): boolean =>
        comms.messages.some((m) => {
          if (m.topic !== 'debug') return false;
          const d = debugMsg(m.data);
          const payload = (d.msg as { payload?: Record<string, unknown> } | undefined)?.payload;
          return d.id === idOf(debugName) && typeof payload?.[variable] === 'number';
        });
      const ok = await until(() => deviceIds.every(green) && reading('UPS readings', 'battery.charge') && reading('PDU readings', 'outlet.count'), 25_000);
      const statuses = comms.messages.filter((m) => m.topic.startsWith('status/')).map((m) => `${m.topic} ${JSON.stringify(m.data)}`);
      const why = `statuses:\n${statuses.join('\n')}\ndebug messages: ${comms.messages.filter((m) => m.topic === 'debug').length}\nlog:\n${red.log}`;
      expect(ok, why).toBe(true);
      expect(requests).toBeGreaterThan(0);

      // The community went to the credentials file, never into the flow.
      const creds = JSON.parse(readFileSync(path.join(userDir, 'flows_cred.json'), 'utf8'));
      for (const n of flow.filter((n) => n.type === 'rackpower-snmp-endpoint')) expect(creds[n.id]).toEqual({ community: 'public' });
      expect(readFileSync(path.join(userDir, 'flows.json'), 'utf8')).not.toContain('community');
    }, 40_000);

    it('closes every socket and stops polling when a redeploy removes the nodes', async () => {
      const sockets = socketsOf(red.pid);
      // What the check below would miss if it looked at nothing: the SNMP sessions and the Modbus connection are open.
      expect(sockets.filter((s) => s.proto === 'udp').length, JSON.stringify(sockets)).toBeGreaterThan(udpBaseline);
      expect(sockets.some((s) => s.proto === 'tcp' && s.remotePort === modbusPort && s.state === '01'), JSON.stringify(sockets)).toBe(true);

      await red.deploy([]);
      const closed = (): boolean => {
        const now = socketsOf(red.pid);
        return now.filter((s) => s.proto === 'udp').length === udpBaseline && !now.some((s) => s.proto === 'tcp' && s.remotePort === modbusPort && s.state === '01');
      };
      expect(await until(closed, 10_000), JSON.stringify(socketsOf(red.pid))).toBe(true);

      // Longer than the example's 5 s polling interval plus its 1 s timeout and retry: nothing asks the rack anymore.
      const before = requests;
      const mark = comms.messages.length;
      await new Promise((resolve) => setTimeout(resolve, 7000));
      expect(requests - before, 'requests reaching the simulator after the redeploy').toBe(0);
      expect(comms.messages.slice(mark).filter((m) => m.topic === 'debug')).toEqual([]);
      expect((await red.get('/flows')).json<unknown[]>()).toEqual([]);
    }, 30_000);

    it('logged no errors or rackpower warnings', () => {
      const lines = red.log.split('\n');
      const bad = lines.filter((l) => /\[error\]/.test(l) || (/\[warn\]/.test(l) && /rackpower|missing types|failed to register/i.test(l)));
      expect(bad, red.log).toEqual([]);
      // Node.js warnings (deprecations, experimental features) printed by the package or its dependencies.
      expect(lines.filter((l) => /\(node:\d+\) \w*Warning/.test(l)), red.log).toEqual([]);
    });
  });
}
