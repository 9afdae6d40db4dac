/**
 * The request headers of one attempt: `hasleader` (require-leader), the auth `token`, the client's
 * `metadata` hook's, then the call's own (later ones win). A hook that throws or returns headers
 * the transport would refuse fails the call with `InvalidArgumentError`, before anything is sent.
 */
import { InvalidArgumentError } from '../errors/index.js';
import { describe } from '../internal/describe-value.js';
import { describeError, validateMetadata } from '../transport/call.js';
import type { Metadata } from '../transport/types.js';
import { REQUIRE_LEADER_METADATA } from './defaults.js';

/** The `metadata` option: called before every attempt; undefined for no headers. */
export type MetadataHook = () => Metadata | undefined;

/** Builds the metadata of each attempt (one per call layer). */
export class CallMetadata {
  readonly #hook: MetadataHook | undefined;
  /** {@link #leaderWithToken}'s last result, keyed by the token's metadata object. */
  #tokenBase: [token: Metadata, merged: Metadata] | undefined;

  constructor(hook: MetadataHook | undefined) {
    this.#hook = hook;
  }

  /**
   * The hook's headers alone (for calls outside the call loop, e.g. the version check).
   * @throws InvalidArgumentError when the hook throws or returns malformed headers
   */
  fromHook(): Metadata | undefined {
    if (this.#hook === undefined) return undefined;
    let headers: unknown;
    try {
      headers = this.#hook();
    } catch (error) {
      throw new InvalidArgumentError(`the metadata hook threw: ${describeError(error)}`, { cause: error });
    }
    if (headers === undefined) return undefined;
    if (headers === null || typeof headers !== 'object') {
      throw new InvalidArgumentError(`the metadata hook must return an object of headers or undefined, got ${describe(headers)}`);
    }
    check(headers as Metadata, 'the metadata hook returned');
    return headers as Metadata;
  }

  /**
   * Headers of one attempt: `hasleader` (with `requireLeader`) and the auth `token`, the hook's,
   * then the call's own `extra`.
   * @throws InvalidArgumentError for a failing hook or malformed headers (hook's or `extra`)
   */
  build(requireLeader: boolean, extra: Metadata | undefined, token?: Metadata): Metadata | undefined {
    const base = !requireLeader ? token : token === undefined ? REQUIRE_LEADER_METADATA : this.#leaderWithToken(token);
    const fromHook = this.fromHook();
    if (extra === undefined && fromHook === undefined) return base;
    if (extra !== undefined) check(extra, "the call's metadata has");
    if (base === undefined) {
      if (extra === undefined) return fromHook;
      if (fromHook === undefined) return extra;
    }
    return { ...base, ...fromHook, ...extra };
  }

  /** `hasleader` plus the auth `token` (merged once per token, not per call). */
  #leaderWithToken(token: Metadata): Metadata {
    if (this.#tokenBase?.[0] !== token) this.#tokenBase = [token, { ...REQUIRE_LEADER_METADATA, ...token }];
    return this.#tokenBase[1];
  }
}

/** The transport's header rules, as an error of the tree. */
function check(headers: Metadata, what: string): void {
  try {
    validateMetadata(headers);
  } catch (error) {
    throw new InvalidArgumentError(`${what} ${describeError(error)}`, { cause: error });
  }
}
