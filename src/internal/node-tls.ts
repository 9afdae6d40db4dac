/**
 * node:tls, loaded on first use rather than with the modules that need it: it brings most of
 * node:crypto with it (~3 ms at a process's start), which a process that only dials plaintext and
 * gives no `tls` option (a short-lived CLI command, most of all) never needs. The transport's TLS
 * dial (transport/dial.ts) and the `tls` option's checks (tls-options.ts) take it from here; both
 * need it synchronously, hence `require` rather than `import()`. Imports nothing of ours.
 */
import { createRequire } from 'node:module';

let loaded: typeof import('node:tls') | undefined;

/** The node:tls module, loaded on the first call. */
export function nodeTls(): typeof import('node:tls') {
  // import.meta.url is empty in a CommonJS bundle (the CLI's); any file URL resolves a built-in.
  loaded ??= createRequire(import.meta.url || 'file:///')('node:tls') as typeof import('node:tls');
  return loaded;
}
