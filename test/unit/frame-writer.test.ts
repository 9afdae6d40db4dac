import assert from 'node:assert/strict';
import { setImmediate as nextImmediate } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { FrameWriter, type WritableSocket } from '../../src/transport/h2/frame-writer.js';

/** A socket that completes each write only when told, and remembers what each write held when it was handed over. */
class SlowSocket implements WritableSocket {
  readonly destroyed = false;
  readonly writes: { chunk: Uint8Array; copy: Buffer; done: () => void }[] = [];
  write(chunk: Uint8Array, done: () => void): boolean {
    this.writes.push({ chunk, copy: Buffer.from(chunk), done });
    return true;
  }
  cork(): void {}
  uncork(): void {}
  /** Completes every write handed over so far. */
  completeAll(): void {
    for (const w of this.writes.splice(0)) w.done();
  }
}

/** One PING frame per tick, each with its own opaque bytes, so overwritten bytes would show. */
async function pingTick(writer: FrameWriter, n: number): Promise<void> {
  writer.ping(Buffer.alloc(8, n), 0, false);
  await nextImmediate();
}

describe('FrameWriter', () => {
  it('never overwrites bytes of a write the socket has not finished, across ticks', async () => {
    const socket = new SlowSocket();
    const writer = new FrameWriter(socket);
    const pending: SlowSocket['writes'] = [];
    for (let n = 0; n < 50; n++) {
      await pingTick(writer, n);
      pending.push(...socket.writes.splice(0));
    }
    assert.equal(pending.length, 50);
    for (const [n, w] of pending.entries()) {
      assert.deepEqual(Buffer.from(w.chunk), w.copy, `write ${n} changed before it completed`);
      assert.equal(w.chunk[9], n);
    }
  });

  it('starts again at the beginning of its slab once every write is done', async () => {
    const socket = new SlowSocket();
    const writer = new FrameWriter(socket);
    await pingTick(writer, 1);
    const first = socket.writes[0]!.chunk;
    socket.completeAll();
    await pingTick(writer, 2);
    const second = socket.writes[0]!.chunk;
    assert.equal(second.buffer, first.buffer, 'the same slab');
    assert.equal(second.byteOffset, first.byteOffset, 'from its start again');
    assert.equal(second[9], 2);
  });

  it('moves on while a write is pending, then reuses the slab after it completed', async () => {
    const socket = new SlowSocket();
    const writer = new FrameWriter(socket);
    await pingTick(writer, 1);
    const first = socket.writes[0]!;
    await pingTick(writer, 2);
    const second = socket.writes[1]!;
    assert.equal(second.chunk.byteOffset, first.chunk.byteOffset + first.chunk.length, 'after the pending bytes');
    assert.deepEqual(Buffer.from(first.chunk), first.copy);
    socket.completeAll();
    await pingTick(writer, 3);
    assert.equal(socket.writes[0]!.chunk.byteOffset, first.chunk.byteOffset);
  });
});
