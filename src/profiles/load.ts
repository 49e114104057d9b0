// Reads the device packages shipped in profiles/ (and any extra folder a user names), validating each profile against
// schema/profile.schema.json so a broken profile is refused at load with the file and field named. A package is a
// folder holding profile.json (next to its recordings, expect.json and SOURCE.md); a user folder may also hold flat
// `<id>.json` profile files.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { RackpowerError } from '../errors';
import { MAX_PROFILE_BYTES, profileLimitProblem } from './limits';
import type { Profile } from './types';

/** The package root: dist/src/profiles → ../../.. ; src/profiles (ts-run tests) → ../.. */
function packageRoot(): string {
  let dir = __dirname;
  while (!statSafe(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}

function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function statSafe(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export const PACKAGE_ROOT = packageRoot();
export const PROFILE_DIR = path.join(PACKAGE_ROOT, 'profiles');
export const SCHEMA_FILE = path.join(PACKAGE_ROOT, 'schema', 'profile.schema.json');
/** The profile file of a device package folder (profiles/<protocol>/<id>/profile.json). */
export const PACKAGE_PROFILE = 'profile.json';

let validator: ReturnType<Ajv['compile']> | undefined;

function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    validator = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
  }
  return validator(data) ? [] : (validator.errors ?? []);
}

/** The first schema error, phrased for a human: `variables/3/scale: must be number`. */
function describe(errors: ErrorObject[]): string {
  // `if/then` wrappers repeat the real error; the deepest path is the useful one.
  const deepest = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  const where = deepest.instancePath.replace(/^\//, '') || '(root)';
  const extra = deepest.params && 'additionalProperty' in deepest.params ? ` "${deepest.params.additionalProperty}"` : '';
  return `${where}: ${deepest.message ?? 'invalid'}${extra}`;
}

/**
 * Parses and validates one profile file, or the profile.json of a package folder. Throws a CONFIG error naming the
 * file and the field. Its id must equal its package folder's name (for `<id>/profile.json`) or its file name (for a
 * flat `<id>.json`).
 */
export function loadProfileFile(fileOrPackage: string): Profile {
  const file = isFolder(fileOrPackage) ? path.join(fileOrPackage, PACKAGE_PROFILE) : fileOrPackage;
  let data: unknown;
  try {
    const size = statSync(file).size;
    if (size > MAX_PROFILE_BYTES) throw new Error(`${size} bytes, at most ${MAX_PROFILE_BYTES}`);
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RackpowerError('CONFIG', `profile ${file}: ${(err as Error).message}`);
  }
  const errors = validate(data);
  if (errors.length) throw new RackpowerError('CONFIG', `profile ${file}: ${describe(errors)}`);
  const profile = data as Profile;
  const problem = profileLimitProblem(profile);
  if (problem) throw new RackpowerError('CONFIG', `profile ${file}: ${problem}`);
  const inPackage = path.basename(file) === PACKAGE_PROFILE;
  const expected = inPackage ? path.basename(path.dirname(file)) : path.basename(file, '.json');
  if (profile.id !== expected) {
    const what = inPackage ? 'folder' : 'file';
    throw new RackpowerError('CONFIG', `profile ${file}: id: "${profile.id}" must equal the ${what} name "${expected}"`);
  }
  return profile;
}

/**
 * The profile files under a folder: a sub-folder holding profile.json is a package (its other files, expect.json
 * included, are not profiles); any other sub-folder is searched; a flat `*.json` file is a profile.
 */
export function listProfileFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const own = path.join(full, PACKAGE_PROFILE);
      out.push(...(statSafe(own) ? [own] : listProfileFiles(full)));
    } else if (entry.name.endsWith('.json')) out.push(full);
  }
  return out.sort();
}

/** Every profile in the given folders (the shipped ones by default); ids must be unique. */
export function loadProfiles(dirs: string[] = [PROFILE_DIR]): Profile[] {
  const byId = new Map<string, string>();
  const profiles: Profile[] = [];
  for (const file of dirs.flatMap(listProfileFiles)) {
    const profile = loadProfileFile(file);
    const other = byId.get(profile.id);
    if (other) throw new RackpowerError('CONFIG', `profile ${file}: id: "${profile.id}" is also used by ${other}`);
    byId.set(profile.id, file);
    profiles.push(profile);
  }
  return profiles;
}

let shipped: Profile[] | undefined;

/** The shipped profiles, loaded once per process. */
export function shippedProfiles(): Profile[] {
  shipped ??= loadProfiles();
  return shipped;
}

export function findProfile(id: string, profiles: Profile[] = shippedProfiles()): Profile {
  const wanted = id.toLowerCase();
  const profile =
    profiles.find((p) => p.id === wanted) ??
    profiles.find((p) => p.protocol === 'modbus' && p.match.model.includes(wanted));
  if (!profile) throw new RackpowerError('CONFIG', `unknown profile "${id}" (rackpower profiles lists them)`);
  return profile;
}

/** The environment variable naming folders of the user's own profiles, separated like PATH. */
export const USER_PROFILES_ENV = 'RACKPOWER_PROFILES';

/** The user's profile folders from RACKPOWER_PROFILES; each must exist (a typo would silently drop a device). */
export function userProfileDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = (env[USER_PROFILES_ENV] ?? '').split(path.delimiter).filter((d) => d.trim() !== '');
  for (const dir of dirs) {
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      // reported below
    }
    if (!isDir) throw new RackpowerError('CONFIG', `${USER_PROFILES_ENV}: ${dir} is not a folder`);
  }
  return dirs;
}

let loaded: Profile[] | undefined;

/**
 * The shipped profiles and the user's own (RACKPOWER_PROFILES), loaded once per process: what detection, control,
 * the trap receiver and the editor choose from. A user profile may not reuse a shipped id.
 */
export function loadedProfiles(): Profile[] {
  if (!loaded) {
    const dirs = userProfileDirs();
    loaded = dirs.length ? loadProfiles([PROFILE_DIR, ...dirs]) : shippedProfiles();
  }
  return loaded;
}
