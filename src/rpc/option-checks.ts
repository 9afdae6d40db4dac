/**
 * The checks of the rpc layer's options and call options: each takes the value as given and
 * returns it (or the default when undefined), or throws `InvalidArgumentError` naming the option,
 * what it must be, and what it got.
 */
import { InvalidArgumentError } from '../errors/index.js';
import { describe } from '../internal/describe-value.js';
import type { Balancer } from './endpoints.js';
import type { Logger } from './logger.js';

/**
 * Checks a call's `timeout`: a non-negative finite number of milliseconds (0 = already expired).
 * @throws InvalidArgumentError otherwise
 */
export function checkTimeout(timeout: unknown): number {
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0) {
    throw new InvalidArgumentError(`timeout must be a non-negative finite number of milliseconds, got ${describe(timeout)}`);
  }
  return timeout;
}

/** A positive finite number of milliseconds, or `fallback` when undefined. @throws InvalidArgumentError otherwise */
export function checkPositive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive finite number of milliseconds, got ${describe(value)}`);
  }
  return value;
}

/** A non-negative finite number of milliseconds (`zero` says what 0 means), or `fallback` when undefined. @throws InvalidArgumentError otherwise */
export function checkNonNegative(name: string, value: unknown, fallback: number, zero = '0 = off'): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`${name} must be a non-negative finite number of milliseconds (${zero}), got ${describe(value)}`);
  }
  return value;
}

/** A fraction from 0 to 1, or `fallback` when undefined. @throws InvalidArgumentError otherwise */
export function checkFraction(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new InvalidArgumentError(`${name} must be a fraction from 0 to 1 (0.1 = +-10%), got ${describe(value)}`);
  }
  return value;
}

/** A positive safe integer, or `fallback` when undefined. @throws InvalidArgumentError otherwise */
export function checkPositiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${describe(value)}`);
  }
  return value;
}

/** A boolean, false when undefined. @throws InvalidArgumentError otherwise */
export function checkFlag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(`${name} must be true or false, got ${describe(value)}`);
  return value;
}

/** An `AbortSignal` or undefined. @throws InvalidArgumentError otherwise */
export function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  throw new InvalidArgumentError(`signal must be an AbortSignal, got ${describe(signal)}`);
}

/** `'round-robin'` (the default, when undefined) or `'pinned'`. @throws InvalidArgumentError otherwise */
export function checkBalancer(balancer: unknown): Balancer {
  if (balancer === undefined || balancer === 'round-robin' || balancer === 'pinned') return balancer ?? 'round-robin';
  throw new InvalidArgumentError(`balancer must be 'round-robin' or 'pinned', got ${describe(balancer)}`);
}

/** An object with `debug`, `info`, `warn` and `error` methods, or undefined. @throws InvalidArgumentError otherwise */
export function checkLogger(logger: unknown): Logger | undefined {
  if (logger === undefined) return undefined;
  const l = logger as Partial<Record<keyof Logger, unknown>> | null;
  if (l === null || typeof l !== 'object' || (['debug', 'info', 'warn', 'error'] as const).some((m) => typeof l[m] !== 'function')) {
    throw new InvalidArgumentError('logger must be an object with debug, info, warn and error methods');
  }
  return logger as Logger;
}
