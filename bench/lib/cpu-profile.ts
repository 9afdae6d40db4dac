/**
 * A V8 CPU profile of part of a run (the measured window only, not start-up), through the
 * inspector: the same sampler as `node --cpu-prof`. Written as a `.cpuprofile` (Chrome DevTools,
 * bench/profile.ts).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/** Sampling interval, µs (V8's default for --cpu-prof is 1000). */
export const PROFILE_INTERVAL_US = 200;

/** Starts profiling; the returned function stops and writes the profile to `file`. */
export async function startProfile(file: string): Promise<() => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: PROFILE_INTERVAL_US });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}
