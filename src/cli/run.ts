/**
 * Everything an `etcdts` command needs once it runs, in one module: the session (and with it the
 * library's client), the printers and the commands' bodies. The command modules (kv.ts, lease.ts,
 * ...) hold only the commands' definitions, which commander needs to parse a command line, and
 * load this module with `await import('./run.js')` in their actions, as program.ts does for the
 * session. So `--help`, `version`, `completion` and a command refused for its arguments never load
 * the library, and a running command loads this one module (a few chunks of the CLI build) rather
 * than one chunk per module it uses: each file costs Node's ESM loader about 0.4 ms, as much as
 * compiling 20 kB. Left out, loaded where used: the test launcher (demo), cli-progress (snapshot
 * save, check), cli-table3 (`-w table`, through table.ts) and node:dns (discovery).
 */
export { electCommand, lockCommand } from './concurrency-run.js';
export { checkDatascale, checkPerf } from './check-run.js';
export { runDemo } from './demo-run.js';
export { runMirror } from './make-mirror-run.js';
export { interactiveWatch, printWatch } from './watch-run.js';
export { CliSession } from './session.js';
export { createPrinter } from './printer.js';
export {
  adminFormat,
  printAlarms,
  printEndpointHashKV,
  printEndpointHealth,
  printEndpointStatus,
  printMemberAdd,
  printMemberChange,
  printMemberList,
  printMoveLeader,
  printSnapshotStatus,
  unsupported,
} from './admin-printer.js';
export { AuthPrinter, checkFormatName } from './auth-printer.js';
export { permRange, permissionType } from './auth-perm.js';
export { createLeasePrinter } from './lease-printer.js';
export { toCompare, toOp } from './txn-ops.js';
export { Client } from '../client.js';
export { SNAPSHOT_PART_SUFFIX } from '../maintenance/snapshot.js';
export { snapshotStatus } from '../snapshot-file/index.js';
