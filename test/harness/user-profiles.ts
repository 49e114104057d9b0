// A folder of a user's own profiles (what RACKPOWER_PROFILES names), one package folder per device like the shipped ones.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findProfile, shippedProfiles } from '../../src/profiles/load';
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

