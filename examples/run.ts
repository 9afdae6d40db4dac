/**
 * Shared by the examples: the endpoints to use and the "run main() when executed directly" glue.
 * `ETCD_ENDPOINTS` (comma-separated URLs) overrides the default local endpoint.
 */
import { pathToFileURL } from 'node:url';

/** How long the examples give the client to reach a member, in ms (Go examples: `dialTimeout`, 5 s). */
export const DIAL_TIMEOUT_MS = 5_000;
/** Deadline of one request in the examples, in ms (Go examples: `requestTimeout`, 10 s). */
export const REQUEST_TIMEOUT_MS = 10_000;

/** Endpoints from `ETCD_ENDPOINTS` (comma-separated), else `http://127.0.0.1:2379`. */
export function exampleEndpoints(): string[] {
  const env = process.env['ETCD_ENDPOINTS'];
  if (env !== undefined && env.trim() !== '') return env.split(',').map((e) => e.trim()).filter((e) => e !== '');
  return ['http://127.0.0.1:2379'];
}

/**
 * Runs `main(exampleEndpoints())` when the module at `moduleUrl` is the program being run
 * (`npx tsx examples/kv-get.ts`); prints the error and exits with status 1 if it fails.
 */
export function runIfMain(moduleUrl: string, main: (endpoints: string[]) => Promise<void>): void {
  const entry = process.argv[1];
  if (entry === undefined || pathToFileURL(entry).href !== moduleUrl) return;
  main(exampleEndpoints()).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
