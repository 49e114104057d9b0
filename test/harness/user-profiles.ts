// A folder of a user's own profiles (what RACKPOWER_PROFILES names), one package folder per device like the shipped ones.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findProfile, PROFILE_DIR, shippedProfiles } from '../../src/profiles/load';
import type { Profile } from '../../src/profiles/types';

/** Writes the profiles into a new temporary folder and returns it. */
export function userProfileDir(profiles: Profile[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rp-user-profiles-'));
  for (const p of profiles) {
    mkdirSync(path.join(dir, p.protocol, p.id), { recursive: true });
    writeFileSync(path.join(dir, p.protocol, p.id, 'profile.json'), JSON.stringify(p, null, 2));
  }
  return dir;
}

/** A deep copy of a shipped profile under another id: a new device family with the same data. */
export function copyOfShipped(id: string, newId: string): Profile {
  const copy = JSON.parse(JSON.stringify(findProfile(id, shippedProfiles()))) as Profile;
  copy.id = newId;
  return copy;
}


/**
 * Copies the shipped package profiles/<protocol>/<from>/ to <root>/<protocol>/<to>/, replacing text in every file's
 * name and content (the id, and for a new vendor its enterprise OIDs in the profile and the recordings alike).
 */
export function copyShippedPackage(root: string, protocol: string, from: string, to: string, replace: Array<[string, string]>): void {
  const source = path.join(PROFILE_DIR, protocol, from);
  const dir = path.join(root, protocol, to);
  mkdirSync(dir, { recursive: true });
  const edit = (text: string): string => replace.reduce((t, [a, b]) => t.split(a).join(b), text);
  for (const file of readdirSync(source)) writeFileSync(path.join(dir, edit(file)), edit(readFileSync(path.join(source, file), 'utf8')));
}
