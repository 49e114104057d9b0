// `rackpower profiles`: the device profiles (shipped and the user's own from RACKPOWER_PROFILES), as a table or JSON.
import { loadedProfiles } from '../profiles/load';
import { table } from './format';
import { defineCommand, parseCommand } from './spec';

export function profileSummaries(): { id: string; vendor: string; kind: string; protocol: string; models: string[] }[] {
  return loadedProfiles().map((p) => ({ id: p.id, vendor: p.vendor, kind: p.kind, protocol: p.protocol, models: p.models }));
}

export function runProfiles(json: boolean): void {
  const rows = profileSummaries();
  if (json) {
    process.stdout.write(JSON.stringify(rows) + '\n');
    return;
  }
  process.stdout.write(table(rows.map((r) => [r.id, `${r.kind.padEnd(6)} ${r.protocol.padEnd(6)} ${r.vendor}: ${r.models.join(', ')}`])) + '\n');
}

export const PROFILES = defineCommand({
  name: 'profiles',
  summary: 'list the device profiles (shipped and RACKPOWER_PROFILES)',
  args: '[--json]',
  positionals: { min: 0, max: 0 },
  options: { json: { type: 'boolean', help: 'one line of JSON instead of a table' } },
  run: async (args): Promise<void> => runProfiles(parseCommand(PROFILES, args).values.json === true),
});
