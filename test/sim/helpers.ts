// Test helpers: promise wrappers around net-snmp's client and a check that nothing stays open after a test.
import * as snmp from 'net-snmp';
import { expect } from 'vitest';

export const portOf = (url: string): number => Number(new URL(url).port);

export function session(url: string, options: snmp.SessionOptions = {}): snmp.Session {
  const u = new URL(url);
  return snmp.createSession(u.hostname, decodeURIComponent(u.username), {
    port: Number(u.port),
    version: snmp.Version2c,
    timeout: 1000,
    retries: 0,
    ...options,
  });
}

export function get(s: snmp.Session, oids: string[]): Promise<snmp.Varbind[]> {
  return new Promise((resolve, reject) => s.get(oids, (err, vbs) => (err ? reject(err) : resolve(vbs ?? []))));
}

/** GETBULK without non-repeaters; net-snmp nests the repeated varbinds one array per requested OID. */
export function getBulk(s: snmp.Session, oids: string[], maxRepetitions: number): Promise<snmp.Varbind[]> {
  return new Promise((resolve, reject) => s.getBulk(oids, 0, maxRepetitions, (err, vbs) => (err ? reject(err) : resolve((vbs ?? []).flat()))));
}

/** All varbinds under `oid` (GETBULK for v2c, GETNEXT for v1). */
export function walk(s: snmp.Session, oid: string, maxRepetitions = 20): Promise<snmp.Varbind[]> {
  const out: snmp.Varbind[] = [];
  return new Promise((resolve, reject) =>
    s.subtree(oid, maxRepetitions, (vbs) => void out.push(...vbs), (err) => (err ? reject(err) : resolve(out))),
  );
}

export function set(s: snmp.Session, varbinds: snmp.Varbind[]): Promise<snmp.Varbind[]> {
  return new Promise((resolve, reject) => s.set(varbinds, (err, vbs) => (err ? reject(err) : resolve(vbs ?? []))));
}

const NETWORK = ['UDPWRAP', 'TCPWRAP', 'TCPSERVERWRAP', 'Timeout'];

/** Sockets, servers and timers open now. */
export const openHandles = (): string[] => process.getActiveResourcesInfo().filter((r) => NETWORK.includes(r)).sort();

const count = (list: string[]): Record<string, number> => Object.fromEntries(NETWORK.map((t) => [t, list.filter((r) => r === t).length]));

/** Waits (briefly: closes finish on the next turns of the loop) until no more handles of any kind are open than before. */
export async function expectNoLeaks(before: string[]): Promise<void> {
  const was = count(before);
  const leaked = (): string[] => NETWORK.filter((t) => count(openHandles())[t] > was[t]);
  for (let i = 0; i < 50 && leaked().length; i++) await new Promise((r) => setTimeout(r, 10));
  expect(leaked()).toEqual([]);
}
