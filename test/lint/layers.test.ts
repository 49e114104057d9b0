// The layer rules in eslint.config.mjs: each forbidden import is tried in a source string linted as if it lived in
// the named file, with the project's own config, so a rule that stops matching fails here; then the repository's
// src/ and nodes/ must have no violation at all.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function layerErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\n`, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const forbidden: [file: string, source: string][] = [
  ['src/protocol/snmp/x.ts', "import { SnmpDeviceReader } from '../../polling/snmp-reader';"],
  ['src/protocol/modbus/x.ts', "import type { ModbusVariable } from '../../profiles/types';"],
  ['src/protocol/snmp/x.ts', "import type { SnmpType } from '../../normalize/value-class';"],
  ['src/protocol/nut/x.ts', "export * from '../../control/nut';"],
  ['src/protocol/nut/x.ts', "import { openDevice } from '../../device';"],
  ['src/protocol/apcupsd/x.ts', "import { Rack } from '../../sim/rack';"],
  ['src/protocol/snmp/x.ts', "import type { NodeAPI } from 'node-red';"],
  ['src/sim/x.ts', "import { applyScaling } from '../polling/snmp-reader';"],
  ['src/sim/devices/x.ts', "import type { DeviceReader } from '../../polling/types';"],
  ['src/integrations/x.ts', "import { DevicePoller } from '../polling/poller';"],
  ['src/polling/x.ts', "import { deviceNode } from '../../nodes/lib/device-node';"],
  ['src/cli/x.ts', "import helper from 'node-red-node-test-helper';"],
  ['src/cli/x.ts', "import { freeTcpPort } from '../../test/harness/ports';"],
  ['nodes/x.ts', "import { freeTcpPort } from '../test/harness/ports';"],
  ['nodes/lib/x.ts', "import { check } from '../../src/fuzz/check';"],
];

const allowed: [file: string, source: string][] = [
  ['src/protocol/snmp/x.ts', "import snmp from 'net-snmp';\nimport net from 'node:net';\nimport { RackpowerError } from '../../errors';\nimport type { Values } from '../../types';\nimport { openSession } from './session';\nexport { snmp, net, RackpowerError, openSession };\nexport type { Values };"],
  ['src/polling/x.ts', "export { SnmpClient } from '../protocol/snmp/client';"],
  ['src/sim/x.ts', "export { applyScaling } from '../normalize/scaling';"],
  ['nodes/x.ts', "import type { NodeAPI } from 'node-red';\nimport { DevicePoller } from '../src/polling/poller';\nexport { DevicePoller };\nexport type { NodeAPI };"],
];

describe('layer rules', () => {
  it.each(forbidden)('%s may not: %s', async (file, source) => {
    expect(await layerErrors(file, source)).toHaveLength(1);
  });

  it.each(allowed)('%s may: %s', async (file, source) => {
    expect(await layerErrors(file, source)).toEqual([]);
  });

  it('src/ and nodes/ keep them', async () => {
    const results = await eslint.lintFiles(['src', 'nodes']);
    expect(results.length).toBeGreaterThan(50);
    const violations = results.flatMap((r) =>
      r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => `${path.relative(root, r.filePath)}:${m.line} ${m.message}`),
    );
    expect(violations).toEqual([]);
  }, 120000);
});
