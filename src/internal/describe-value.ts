/**
 * How error messages show a value the caller passed: one describer for every layer (options,
 * keys, endpoints, timeouts), so the same mistake reads the same wherever it is caught.
 */

/**
 * A short description of a value for an error message: strings quoted (cut after 40 characters),
 * numbers, booleans and bigints (`5n`) as written, `null`, `undefined`, `an array`, `a function`,
 * `a Map` (the class name of other objects) or `an object`.
 */
export function describe(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  switch (typeof input) {
    case 'string':
      return JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}...` : input);
    case 'number':
    case 'boolean':
      return String(input);
    case 'bigint':
      return `${input}n`;
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    case 'symbol':
      return input.toString();
    default: {
      const ctor = (input as { constructor?: { name?: string } }).constructor?.name;
      return ctor && ctor !== 'Object' ? `a ${ctor}` : 'an object';
    }
  }
}
