/** Energy accumulated over dt seconds at `watts`, in kWh (what every meter in the rack counts). */
export const kWh = (watts: number, dt: number): number => (watts * dt) / 3_600_000;
