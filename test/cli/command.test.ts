// `rackpower command`: INSTCMD through a real upsd (tracked) and through the simulator's NUT server, SNMP UPS
// commands through the simulator's agent, with the ups command node's guards.
// @module-tag peer: upsd
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../harness/build';
import { runNode } from '../harness/process';
import { ADMIN, startUpsd, type Upsd } from '../harness/upsd';
import { startRack, type RunningRack } from '../../src/sim/rack';
import { loadScenario } from '../../src/sim/scenario';
import type { Ups } from '../../src/sim/devices/ups';

const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
let upsd: Upsd;
let rack: RunningRack;
const admin = { ...process.env, RACKPOWER_NUT_PASSWORD: ADMIN.password };
const simNut = (): string => rack.servers.find((d) => d.profile === 'nut')!.url.replace('nut://', 'nut://admin@');
const audible = (): number => rack.model.control('ups', (u) => (u as Ups).audible);

beforeAll(async () => {
  ensureBuilt();
  upsd = await startUpsd({ ups1: 'APC__Smart-UPS_1000__snmp-ups__2.7.4__01.dev' });
  rack = await startRack(loadScenario('demo'), { speed: 0, control: true, upsServers: true });
}, 120_000);
afterAll(async () => {
  await upsd?.stop();
  await rack?.close();
});

describe('rackpower command nut://', () => {
  it('sends an INSTCMD and reports the driver verdict upsd tracked (dummy-ups refuses: exit 6)', async () => {
    const r = await runNode([CLI, 'command', `nut://admin@127.0.0.1:${upsd.port}/ups1`, 'load.off', '--yes'], admin);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/protocol: INSTCMD ups1 load.off: UNKNOWN/u);
  }, 60_000);

  it('refuses a command that switches power without --yes, before connecting', async () => {
    const r = await runNode([CLI, 'command', `nut://admin@127.0.0.1:${upsd.port}/ups1`, 'load.off'], admin);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/switches power: add --yes/u);
  }, 60_000);

  it('refuses a command the UPS does not offer, naming the ones it does', async () => {
    const r = await runNode([CLI, 'command', `nut://admin@127.0.0.1:${upsd.port}/ups1`, 'beeper.mute'], admin);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/offers no beeper.mute \(it offers: load.off\)/u);
  }, 60_000);

  it('carries out beeper.mute on the simulated UPS, verified by tracking; a dry run sends nothing', async () => {
    const before = rack.setRequests();
    const dry = await runNode([CLI, 'command', simNut(), 'beeper.mute', '--dry-run', '--json'], { ...process.env, RACKPOWER_NUT_PASSWORD: 'admin' });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ ok: true, dryRun: true, command: 'beeper.mute' });
    expect(rack.setRequests()).toBe(before);
    const r = await runNode([CLI, 'command', simNut(), 'beeper.mute', '--json'], { ...process.env, RACKPOWER_NUT_PASSWORD: 'admin' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, dryRun: false, verified: true, readback: 'SUCCESS' });
    expect(audible()).toBe(3);
    expect(rack.setRequests()).toBe(before + 1);
  }, 60_000);

  it('a wrong password is AUTH (exit 4)', async () => {
    const r = await runNode([CLI, 'command', simNut(), 'beeper.enable'], { ...process.env, RACKPOWER_NUT_PASSWORD: 'nope' });
    expect(r.code).toBe(4);
  }, 60_000);
});

describe('rackpower command snmp://', () => {
  it('is an upscmd for SNMP UPS cards: beeper.disable SET and read back', async () => {
    const ups = rack.devices.find((d) => d.name === 'ups')!.url;
    const r = await runNode([CLI, 'command', ups, 'beeper.disable', '--json']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, verified: true, command: 'beeper.disable' });
    expect(audible()).toBe(1);
  }, 60_000);

  it('apcupsd has no control', async () => {
    const r = await runNode([CLI, 'command', rack.servers.find((d) => d.profile === 'apcupsd')!.url, 'beeper.mute']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no control over NIS/u);
  }, 60_000);
});
