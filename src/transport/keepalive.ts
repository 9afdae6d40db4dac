/**
 * Keep-alive of one HTTP/2 connection, as grpc-go's client does it (internal/transport/
 * http2_client.go, `keepalive`):
 *
 * - the clock runs from the last frame received; when `time` ms pass without one and a stream is
 *   open, a PING goes out, and if nothing at all arrives within `timeout` ms the connection is dead;
 * - when `time` passes with no stream open, the keep-alive goes dormant (no timer, no PING: etcd
 *   counts PINGs without streams as abuse); the next stream to open wakes it with a PING at once,
 *   so a member that froze between two short calls is noticed by the next call;
 * - in addition (our rule), a call that reaches its deadline with nothing received on the
 *   connection since it was sent starts a PING at once, unless one is outstanding or the last one
 *   went out less than `time` ago (so PINGs are never closer than `time`, which the user keeps
 *   above the server's minimum: etcd's `--grpc-keepalive-min-time`, 5 s by default).
 */
import { startTimer, type TimerHandle } from '../internal/timers.js';

/** What the keep-alive needs of its connection. */
export interface KeepAliveLink {
  /** `performance.now()` when the last bytes arrived. */
  readonly lastReadAt: number;
  /** Streams open now. */
  readonly activeStreams: number;
  /** Sends a PING. */
  sendPing(): void;
  /** No frame arrived within the timeout after a PING: fail the connection. */
  keepAliveTimedOut(): void;
}

/** The keep-alive clock of one connection. */
export class KeepAlive {
  private timer: TimerHandle | undefined = undefined;
  /** `lastReadAt` seen at the last check. */
  private prevRead: number;
  /** A PING went out and nothing was received since. */
  private outstanding = false;
  /** When the outstanding PING times out (performance.now()). */
  private pingDeadline = 0;
  /** When the last PING went out (performance.now()), -Infinity before any. */
  private lastPingAt = -Infinity;
  private dormant = false;
  private stopped = false;

  /**
   * @param link - the connection.
   * @param time - ms without a frame before a PING; 0 turns keep-alive (and deadline PINGs) off.
   * @param timeout - ms a PING may go unanswered.
   */
  constructor(
    private readonly link: KeepAliveLink,
    private readonly time: number,
    private readonly timeout: number,
  ) {
    this.prevRead = link.lastReadAt;
  }

  /** Starts the clock (the connection is ready). */
  start(): void {
    if (this.time <= 0 || this.stopped) return;
    this.prevRead = this.link.lastReadAt;
    this.arm(this.time);
  }

  /** Stops it for good (the connection ends). */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** A stream opened: a dormant keep-alive wakes with a PING. */
  streamOpened(): void {
    if (!this.dormant) return;
    this.dormant = false;
    this.ping();
  }

  /**
   * A call reached its deadline; `sentAt` is when it was sent (performance.now()). PINGs at once
   * when nothing was received since then (see the file comment).
   */
  callTimedOut(sentAt: number): void {
    if (this.time <= 0 || this.stopped || this.outstanding) return;
    const now = performance.now();
    if (this.link.lastReadAt >= sentAt || now - this.lastPingAt < this.time) return;
    this.dormant = false;
    this.ping();
  }

  private ping(): void {
    if (this.stopped) return;
    this.outstanding = true;
    const now = performance.now();
    this.lastPingAt = now;
    this.pingDeadline = now + this.timeout;
    this.prevRead = this.link.lastReadAt;
    this.link.sendPing();
    this.arm(Math.min(this.time, this.timeout));
  }

  private arm(ms: number): void {
    this.timer?.cancel();
    this.timer = startTimer(() => this.check(), ms).unref();
  }

  /** The timer fired. */
  private check(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const now = performance.now();
    const lastRead = this.link.lastReadAt;
    if (lastRead > this.prevRead) {
      // Something arrived since the last check: the connection is alive.
      this.outstanding = false;
      this.prevRead = lastRead;
      this.arm(Math.max(lastRead + this.time - now, 0));
      return;
    }
    if (this.outstanding) {
      if (now >= this.pingDeadline) {
        this.link.keepAliveTimedOut();
        return;
      }
      this.arm(Math.min(this.time, this.pingDeadline - now));
      return;
    }
    if (this.link.activeStreams < 1) {
      this.dormant = true;
      return;
    }
    this.ping();
  }
}
