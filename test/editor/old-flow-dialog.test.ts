// Nodes saved by an older rackpower in headless Chromium against a real Node-RED: the editor shows them valid, their
// dialog opens in the current shape with the config node still selected (resources/editor.js runs the runtime's
// migrations), Done saves the new field names, and a node nobody opened keeps its old fields through a deploy.
// @module-tag peer: a node-red process and chromium
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ensureBuilt } from '../nodes/harness';
import { afterEditorStep, deployFromEditor, dragFromPalette, freeTcpPort, openEditorSession, openNodeDialog, startNodeRed, type Browser, type NodeRed } from './harness.cjs';

const Z = 'a11e000000000001';
const AGENT = 'a11e0000000000a1';
const LINK = 'a11e0000000000b1';
const UPS = 'a11e000000000011';
const SENSOR = 'a11e000000000012';
const OUTLET = 'a11e000000000013';
const PDU = 'a11e000000000014';
let red: NodeRed;
let browser: Browser;
let page: Page;

type Node = Record<string, unknown> & { users?: { id: string }[] };
interface EditorGlobals {
  RED: { nodes: { node(id: string): Node }; editor: { validateNode(node: Node): boolean } };
}
const inEditor = (id: string): Promise<Node> =>
  page.evaluate((nodeId) => {
    const n = (globalThis as unknown as EditorGlobals).RED.nodes.node(nodeId);
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(n)) if (!key.startsWith('_') && typeof n[key] !== 'object') copy[key] = n[key];
    return { ...copy, users: (n.users ?? []).map((u) => ({ id: u.id })) };
  }, id);

beforeAll(async () => {
  ensureBuilt();
  // Nothing answers there: the dialogs are under test, not the devices.
  const port = String(await freeTcpPort());
  red = await startNodeRed({
    flows: [
      { id: Z, type: 'tab', label: 'saved long ago' },
      { id: AGENT, type: 'rackpower-snmp-endpoint', name: 'old agent', host: '127.0.0.1', port, version: '2c', timeout: '200', retries: '0' },
      { id: LINK, type: 'rackpower-modbus-connection', name: 'old link', mode: 'tcp', host: '127.0.0.1', port, timeout: '200', delay: '' },
      // configVersion 1: `transport` and `endpoint`, as examples/flows had them.
      { id: UPS, type: 'rackpower-ups', z: Z, name: 'ups', configVersion: 1, transport: 'snmp', endpoint: AGENT, connection: '', profile: 'auto', interval: '30', x: 200, y: 100, wires: [[], []] },
      // Before versioning: no `transport` (a sensor meant Modbus), the link in `connection`.
      { id: SENSOR, type: 'rackpower-sensor', z: Z, name: 'sensor', connection: LINK, profile: 'xy-md02', unit: '2', x: 200, y: 180, wires: [[], []] },
      { id: OUTLET, type: 'rackpower-outlet', z: Z, name: 'outlet', endpoint: AGENT, profile: 'auto', allow: '1', dryRun: true, x: 200, y: 260, wires: [[]] },
      { id: PDU, type: 'rackpower-pdu', z: Z, name: 'pdu', configVersion: 1, transport: 'snmp', endpoint: AGENT, profile: 'auto', x: 200, y: 340, wires: [[], []] },
    ],
  });
  browser = await openEditorSession(red);
  page = browser.page;
}, 120_000);

afterEach((ctx) => afterEditorStep(browser, 'old-flow-dialog', ctx.task));

afterAll(async () => {
  await browser?.close();
  await red?.stop();
});

describe('nodes saved by an older rackpower', () => {
  it('show as valid before anyone opens them (validators read the migrated fields)', async () => {
    const valid = (id: string): Promise<boolean> =>
      page.evaluate((nodeId) => {
        const { RED } = globalThis as unknown as EditorGlobals;
        return RED.editor.validateNode(RED.nodes.node(nodeId));
      }, id);
    for (const id of [UPS, SENSOR, OUTLET, PDU]) expect(await valid(id), id).toBe(true);
  });

  it('are flagged all the same when their config node is missing, with the reason as the tooltip', async () => {
    const reasons = await page.evaluate(() => {
      const { RED } = globalThis as unknown as EditorGlobals & { RED: { nodes: { getType(t: string): { defaults: Record<string, { validate?: (v: unknown, opt: object) => unknown }> } } } };
      const check = (type: string, field: string, node: Record<string, unknown>): unknown => {
        const def = RED.nodes.getType(type);
        const validate = def.defaults[field].validate!;
        // Node-RED shows a returned text only from a validator with two parameters (value, opt).
        return validate.length === 2 ? validate.call({ type, _def: def, ...node }, node[field], {}) : `${type}.${field} takes ${validate.length} parameter(s)`;
      };
      return [
        check('rackpower-ups', 'agent', { configVersion: 1, transport: 'snmp', endpoint: '', agent: undefined }),
        check('rackpower-sensor', 'link', { connection: '', link: undefined }),
        check('rackpower-outlet', 'agent', { endpoint: '', agent: undefined }),
        check('rackpower-outlet', 'rateCount', { rateCount: '-1' }),
        check('rackpower-snmp-endpoint', 'port', { port: '70000' }),
      ];
    });
    expect(reasons).toEqual([
      'Choose or add the SNMP agent',
      'Choose or add the Modbus link',
      'Choose or add the SNMP agent',
      'At most: a whole number of actions, 0 or more',
      'Port: a whole number 1-65535',
    ]);
  });

  it('a UPS at version 1 opens with its SNMP agent still selected, and Done saves the new fields', async () => {
    await openNodeDialog(page, UPS);
    expect(await page.locator('#node-input-protocol').inputValue()).toBe('snmp');
    expect(await page.locator('#node-input-agent').inputValue()).toBe(AGENT);
    expect(await page.locator('#node-input-interval').inputValue()).toBe('30');
    await page.locator('#node-dialog-ok').click();
    const saved = await inEditor(UPS);
    expect(saved).toMatchObject({ protocol: 'snmp', agent: AGENT, configVersion: 2 });
    for (const old of ['transport', 'endpoint', 'connection']) expect(saved[old], old).toBeUndefined();
  });

  it('a sensor from before versioning opens on Modbus with its link selected', async () => {
    await openNodeDialog(page, SENSOR);
    expect(await page.locator('#node-input-protocol').inputValue()).toBe('modbus');
    expect(await page.locator('#node-input-link').inputValue()).toBe(LINK);
    expect(await page.locator('#node-input-unit').inputValue()).toBe('2');
    await page.locator('#node-dialog-ok').click();
    expect(await inEditor(SENSOR)).toMatchObject({ protocol: 'modbus', link: LINK, configVersion: 2 });
  });

  it('an outlet from before versioning opens with its SNMP agent selected', async () => {
    await openNodeDialog(page, OUTLET);
    expect(await page.locator('#node-input-agent').inputValue()).toBe(AGENT);
    await page.locator('#node-dialog-ok').click();
    const saved = await inEditor(OUTLET);
    expect(saved).toMatchObject({ agent: AGENT, configVersion: 1 });
    expect(saved.endpoint).toBeUndefined();
  });

  it('the agent counts each node that uses it once', async () => {
    const users = (await inEditor(AGENT)).users!.map((u) => u.id).sort();
    expect(users).toEqual([UPS, OUTLET, PDU].sort());
  });

  it('deploys the opened nodes in the new shape and the unopened one as it was saved', async () => {
    await deployFromEditor(page);
    const flows = (await red.request('GET', '/flows')).body as Node[];
    const byId = new Map(flows.map((n) => [n.id, n]));
    expect(byId.get(UPS)).toMatchObject({ protocol: 'snmp', agent: AGENT, configVersion: 2 });
    expect(byId.get(UPS)).not.toHaveProperty('endpoint');
    expect(byId.get(SENSOR)).toMatchObject({ protocol: 'modbus', link: LINK, configVersion: 2 });
    expect(byId.get(OUTLET)).toMatchObject({ agent: AGENT, configVersion: 1 });
    // Never opened: the runtime migrates it when it starts (nodes/lib/migrations.ts), so nothing is lost.
    expect(byId.get(PDU)).toMatchObject({ transport: 'snmp', endpoint: AGENT, configVersion: 1 });
  });

  it('a node dropped from the palette starts at the current version, without the retired fields', async () => {
    const id = await dragFromPalette(page, 'rackpower-meter', 500, 420);
    const fresh = await inEditor(id);
    expect(fresh).toMatchObject({ protocol: 'modbus', link: '', configVersion: 2 });
    for (const old of ['transport', 'endpoint', 'connection']) expect(fresh[old], old).toBeUndefined();
  });
});
