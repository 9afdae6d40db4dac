/**
 * Loads an optional peer dependency (`prom-client`, `@opentelemetry/api`) on demand, synchronously,
 * from the ESM and the CommonJS build alike. Nothing is loaded unless an option asks for it, so a
 * user who never turns metrics or tracing on needs neither package installed.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { InvalidArgumentError } from '../errors/index.js';

/**
 * A `require` resolving from this module (from the current directory when `import.meta.url` is
 * empty, as in a CommonJS bundle made from the ESM build). Not the global `require`: bundlers
 * replace that with a stub that refuses dynamic names.
 */
function requireFunction(): NodeJS.Require {
  const base: string | undefined = import.meta.url;
  return createRequire(base || pathToFileURL(join(process.cwd(), 'index.js')).href);
}

/**
 * `require(name)` of an optional peer dependency.
 *
 * @param name the package, e.g. `prom-client`
 * @param feature the option that needs it, for the error message, e.g. `the metrics option`
 * @throws InvalidArgumentError naming the package and the option when it is not installed
 */
export function loadOptionalModule<T>(name: string, feature: string): T {
  try {
    return requireFunction()(name) as T;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
      throw new InvalidArgumentError(`${feature} needs the optional package ${name}; install it with \`npm install ${name}\``, {
        cause: error,
      });
    }
    throw error;
  }
}
