/**
 * Streaming calls of the rpc layer: `RpcStreamCall` (one stream as its owner sees it, across the
 * attempts of the call loop) and `iterateStream` (a server stream as an async iterable, with
 * backpressure).
 */
import { InvalidArgumentError } from '../errors/index.js';
import type { Method } from '../proto/method-descriptor.js';
import type { CallOptions as TransportCallOptions, Connection, Stream, StreamHandlers } from '../transport/types.js';
import { decodeResponse, encodeRequest } from './codec.js';
import type { AttemptObserver } from './observer.js';
import type { RpcStream, RpcStreamHandlers } from './types.js';

/**
 * One streaming call as the caller sees it (`RpcStream`), across the attempts the call loop makes (call-loop.ts): writes
 * before the first response are kept and replayed on a new attempt; `cancel()` and the caller's
 * signal abort `signal`, which the call loop passes to the transport.
 */
export class RpcStreamCall<Req, Res> implements RpcStream<Req> {
  /** True once a response message arrived (the stream is then never retried). */
  received = false;
  /** `maxCallSendMsgSize`, bytes. */
  readonly #maxSend: number;
  readonly #method: Method<Req, Res>;
  readonly #handlers: RpcStreamHandlers<Res>;
  readonly #controller = new AbortController();
  readonly #userSignal: AbortSignal | undefined;
  readonly #onUserAbort: (() => void) | undefined;
  #stream: Stream | undefined;
  /** The consumer asked for no data for now (see `pause`). */
  #paused = false;
  /** The observer of the attempt whose stream is open, if any. */
  #observed: AttemptObserver | undefined;
  #writes: Uint8Array[] = [];
  #ended = false;
  #finished = false;

  constructor(maxSend: number, method: Method<Req, Res>, handlers: RpcStreamHandlers<Res>, userSignal: AbortSignal | undefined) {
    this.#maxSend = maxSend;
    this.#method = method;
    this.#handlers = handlers;
    this.#userSignal = userSignal;
    if (userSignal !== undefined) {
      if (userSignal.aborted) this.#controller.abort(userSignal.reason);
      else {
        this.#onUserAbort = () => this.#abort(userSignal.reason);
        userSignal.addEventListener('abort', this.#onUserAbort, { once: true });
      }
    }
  }

  /** Aborted by `cancel()` or by the caller's signal (with its reason). */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * Sends one request (bidi). After the stream has ended (`onEnd` fired) writes are ignored.
   * @throws RequestTooLargeError over `maxCallSendMsgSize`, InvalidArgumentError when the request
   *   cannot be encoded or the stream was ended
   */
  write(request: Req): void {
    if (this.#ended) throw new InvalidArgumentError(`write after end() on the ${this.#method.path} stream`);
    if (this.#finished) return;
    const bytes = encodeRequest(this.#method, request, this.#maxSend);
    if (!this.received) this.#writes.push(bytes);
    if (this.#stream !== undefined) {
      this.#stream.write(bytes);
      this.#observed?.sent();
    }
  }

  /** Half-closes the request side. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#stream?.end();
  }

  /** Cancels the call on the server; `onEnd` then fires with an `AbortError`. */
  cancel(): void {
    this.#abort(new DOMException(`the ${this.#method.path} stream was cancelled`, 'AbortError'));
  }

  /** The consumer has messages it has not taken: the transport holds back the stream's window credit. */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#stream?.pause?.();
  }

  /** The consumer took every message: window credit flows again. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#stream?.resume?.();
  }

  #abort(reason: unknown): void {
    if (this.#finished || this.#controller.signal.aborted) return;
    this.#controller.abort(reason);
    this.#stream?.cancel();
  }

  /** One attempt: opens the stream on `connection`; settles when it ends. Called by the call loop only. */
  open(
    connection: Connection,
    request: Uint8Array | undefined,
    options: TransportCallOptions | undefined,
    observed?: AttemptObserver,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const handlers: StreamHandlers = {
        onMessage: (bytes) => {
          if (settled) return;
          if (!this.received) {
            this.received = true;
            this.#writes = [];
          }
          try {
            const message = decodeResponse(this.#method, bytes);
            observed?.received(message);
            this.#handlers.onMessage(message);
          } catch (error) {
            settled = true;
            this.#stream?.cancel();
            this.#stream = undefined;
            reject(error);
          }
        },
        onEnd: (error) => {
          this.#stream = undefined;
          if (settled) return;
          settled = true;
          if (error === undefined) resolve();
          else reject(error);
        },
      };
      const stream =
        this.#method.kind === 'server-stream'
          ? connection.serverStream(this.#method.path, request ?? new Uint8Array(0), handlers, options)
          : connection.bidi(this.#method.path, handlers, options);
      if (settled) return; // ended synchronously
      this.#stream = stream;
      this.#observed = observed;
      if (this.#paused) stream.pause?.();
      for (const bytes of this.#writes) {
        stream.write(bytes);
        observed?.sent();
      }
      if (this.#ended) stream.end();
    });
  }

  /** Delivers the end of the call, once. */
  finish(error: Error | undefined): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#stream = undefined;
    this.#writes = [];
    if (this.#onUserAbort !== undefined) this.#userSignal?.removeEventListener('abort', this.#onUserAbort);
    this.#handlers.onEnd(error);
  }
}

/**
 * The async iterable of `serverStream`: a queue between the stream's callbacks and the loop.
 * `start` opens the call (the call loop's `startStream`) with the handlers given.
 */
export async function* iterateStream<Req, Res>(start: (handlers: RpcStreamHandlers<Res>) => RpcStreamCall<Req, Res>): AsyncGenerator<Res, void, undefined> {
  const queue: Res[] = [];
  let head = 0;
  const state: { ended: boolean; error: Error | undefined; wake: (() => void) | undefined } = {
    ended: false,
    error: undefined,
    wake: undefined,
  };
  // Backpressure: while messages wait here for the loop, the transport holds back the stream's
  // flow-control credit, so a slow consumer stops the server instead of filling memory.
  const call: RpcStreamCall<Req, Res> = start({
    onMessage(message) {
      queue.push(message);
      if (state.wake === undefined) call.pause();
      else state.wake();
    },
    onEnd(error) {
      state.ended = true;
      state.error = error;
      state.wake?.();
    },
  });
  try {
    for (;;) {
      if (head < queue.length) {
        const message = queue[head]!;
        queue[head++] = undefined as Res;
        if (head === queue.length) {
          queue.length = 0;
          head = 0;
        }
        yield message;
        continue;
      }
      if (state.ended) {
        if (state.error !== undefined) throw state.error;
        return;
      }
      call.resume();
      await new Promise<void>((resolve) => {
        state.wake = resolve;
      });
      state.wake = undefined;
    }
  } finally {
    if (!state.ended) call.cancel();
  }
}
