// HPACK (RFC 7541): the Appendix C examples decoded with the dynamic table and Huffman, integer
// and Huffman primitives, the encoder's blocks decoding back, and the decoder's limits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HpackDecoder } from '../../src/transport/hpack/decoder.js';
import { encodeHeaderBlock, encodeInteger, encodeString } from '../../src/transport/hpack/encoder.js';
import { HpackError } from '../../src/transport/hpack/errors.js';
import { huffmanDecode, huffmanEncode, huffmanEncodedLength } from '../../src/transport/hpack/huffman.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const pairs = (fields: string[]): Array<[string, string]> => {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < fields.length; i += 2) out.push([fields[i]!, fields[i + 1]!]);
  return out;
};

/** Decodes a series of blocks on one decoder, checking each block's fields and the table size after it. */
function series(tableSize: number, steps: Array<[block: string, fields: Array<[string, string]>, size: number]>): void {
  const decoder = new HpackDecoder(tableSize, 1 << 20);
  for (const [block, fields, size] of steps) {
    const bytes = hex(block);
    assert.deepEqual(pairs(decoder.decode(bytes, 0, bytes.length)), fields);
    assert.equal(decoder.tableSize, size);
  }
}

const REQUEST_1: Array<[string, string]> = [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']];
const REQUEST_2: Array<[string, string]> = [...REQUEST_1, ['cache-control', 'no-cache']];
const REQUEST_3: Array<[string, string]> = [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']];
const RESPONSE_1: Array<[string, string]> = [[':status', '302'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']];
const RESPONSE_2: Array<[string, string]> = [[':status', '307'], ...RESPONSE_1.slice(1)];
const RESPONSE_3: Array<[string, string]> = [
  [':status', '200'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'], ['location', 'https://www.example.com'],
  ['content-encoding', 'gzip'], ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1'],
];

describe('HPACK, RFC 7541 Appendix C', () => {
  it('C.1 integers', () => {
    const out: number[] = [];
    encodeInteger(out, 10, 5, 0);
    assert.deepEqual(out, [0x0a]);
    out.length = 0;
    encodeInteger(out, 1337, 5, 0);
    assert.deepEqual(out, [0x1f, 0x9a, 0x0a]);
    out.length = 0;
    encodeInteger(out, 42, 8, 0);
    assert.deepEqual(out, [0x2a]);
  });

  it('C.2 header field representations', () => {
    series(4096, [['400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572', [['custom-key', 'custom-header']], 55]]);
    series(4096, [['040c 2f73 616d 706c 652f 7061 7468', [[':path', '/sample/path']], 0]]);
    series(4096, [['1008 7061 7373 776f 7264 0673 6563 7265 74', [['password', 'secret']], 0]]);
    series(4096, [['82', [[':method', 'GET']], 0]]);
  });

  it('C.3 requests without Huffman coding', () => {
    series(4096, [
      ['8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d', REQUEST_1, 57],
      ['8286 84be 5808 6e6f 2d63 6163 6865', REQUEST_2, 110],
      ['8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65', REQUEST_3, 164],
    ]);
  });

  it('C.4 requests with Huffman coding', () => {
    series(4096, [
      ['8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff', REQUEST_1, 57],
      ['8286 84be 5886 a8eb 1064 9cbf', REQUEST_2, 110],
      ['8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf', REQUEST_3, 164],
    ]);
  });

  it('C.5 responses without Huffman coding, 256-byte table with evictions', () => {
    series(256, [
      [`4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768
        7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d`, RESPONSE_1, 222],
      ['4803 3330 37c1 c0bf', RESPONSE_2, 222],
      [`88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153
        444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31`,
      RESPONSE_3, 215],
    ]);
  });

  it('C.6 responses with Huffman coding, 256-byte table with evictions', () => {
    series(256, [
      [`4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8
        e9ae 82ae 43d3`, RESPONSE_1, 222],
      ['4883 640e ffc1 c0bf', RESPONSE_2, 222],
      [`88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b
        3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07`, RESPONSE_3, 215],
    ]);
  });
});

describe('Huffman coding', () => {
  it('encodes the Appendix C.4 strings as the RFC does and decodes every byte value back', () => {
    const encode = (s: string): string => {
      const out = Buffer.alloc(huffmanEncodedLength(s));
      assert.equal(huffmanEncode(s, out, 0), out.length);
      return out.toString('hex');
    };
    assert.equal(encode('www.example.com'), 'f1e3c2e5f23a6ba0ab90f4ff');
    assert.equal(encode('no-cache'), 'a8eb10649cbf');
    assert.equal(encode('custom-key'), '25a849e95ba97d7f');
    assert.equal(encode('custom-value'), '25a849e95bb8e8b4bf');
    let all = '';
    for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
    for (const s of ['', 'a', all, all.split('').reverse().join(''), 'grpc-status', '\u00ff\u00fe\u0000']) {
      const out = Buffer.alloc(huffmanEncodedLength(s));
      huffmanEncode(s, out, 0);
      assert.equal(huffmanDecode(out, 0, out.length), s);
    }
  });

  it('rejects EOS inside the data and padding that is not an EOS prefix (or longer than 7 bits)', () => {
    assert.throws(() => huffmanDecode(hex('ffffffff'), 0, 4), HpackError); // 30 one-bits: EOS
    assert.throws(() => huffmanDecode(hex('00'), 0, 1), HpackError); // '0' (00000) then 000 padding
    assert.throws(() => huffmanDecode(hex('1fff'), 0, 2), HpackError); // 'a' (00011) + 11 one-bits of padding
    assert.equal(huffmanDecode(hex('1f'), 0, 1), 'a'); // 00011 + 111
  });
});

describe('HPACK encoder and decoder limits', () => {
  it('blocks from the encoder decode back, with and without Huffman', () => {
    const fields = [':method', 'POST', ':scheme', 'http', ':path', '/etcdserverpb.KV/Range', ':authority', '127.0.0.1:2379',
      'content-type', 'application/grpc', 'te', 'trailers', 'x-long', 'v'.repeat(300), 'x-bin', '\u0000\u00ff'];
    for (const huffman of [true, false]) {
      const block = encodeHeaderBlock(fields, huffman);
      assert.deepEqual(new HpackDecoder(4096, 1 << 16).decode(block, 0, block.length), fields);
    }
    const out: number[] = [];
    encodeString(out, 'abc', false);
    assert.deepEqual(out, [3, 0x61, 0x62, 0x63]);
  });

  it('refuses indexes beyond the tables, truncated blocks, size updates above the setting or late, oversized lists', () => {
    const decoder = (): HpackDecoder => new HpackDecoder(4096, 200);
    const refuse = (block: string, pattern: RegExp): void => {
      const bytes = hex(block);
      assert.throws(() => decoder().decode(bytes, 0, bytes.length), (e: unknown) => e instanceof HpackError && pattern.test(e.message));
    };
    refuse('80', /index 0/);
    refuse('be', /beyond the dynamic table/);
    refuse('040c 2f73', /past the end/);
    refuse('1f', /inside an integer/);
    refuse('1fffffffffff0f', /too large/);
    refuse('3fe21f', /above SETTINGS_HEADER_TABLE_SIZE/); // size update to 4097
    refuse('82 20', /after the first header field/);
    refuse(`00 0b ${'61'.repeat(11)} 7f 3c ${'61'.repeat(187)}`, /SETTINGS_MAX_HEADER_LIST_SIZE/);
    // A size update at the start shrinks the table: the entry added before is evicted.
    const d = new HpackDecoder(4096, 1 << 16);
    const add = hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572');
    d.decode(add, 0, add.length);
    assert.equal(d.tableLength, 1);
    const shrink = hex('20 82');
    assert.deepEqual(d.decode(shrink, 0, shrink.length), [':method', 'GET']);
    assert.equal(d.tableLength, 0);
  });
});

describe('request header blocks', () => {
  it('the first request adds the constant fields to the table, later ones name them by index; plain needs no table', async () => {
    const { RequestHeaders } = await import('../../src/transport/request-headers.js');
    const headers = new RequestHeaders('127.0.0.1:2379', false);
    const expected = (path: string): string[] => [':method', 'POST', ':scheme', 'http', ':authority', '127.0.0.1:2379', ':path', path,
      'content-type', 'application/grpc', 'te', 'trailers', 'user-agent', 'etcd-ts'];
    const server = new HpackDecoder(4096, 1 << 16);
    const first = headers.indexing('/etcdserverpb.KV/Range');
    assert.deepEqual(server.decode(first, 0, first.length), expected('/etcdserverpb.KV/Range'));
    assert.equal(server.tableSize, headers.tableBytes);
    for (const path of ['/etcdserverpb.KV/Put', '/etcdserverpb.KV/Range']) {
      const later = headers.indexed(path);
      assert.ok(later.length < first.length);
      assert.deepEqual(server.decode(later, 0, later.length), expected(path));
    }
    const plain = headers.plain('/etcdserverpb.KV/Put');
    assert.deepEqual(new HpackDecoder(0, 1 << 16).decode(plain, 0, plain.length), expected('/etcdserverpb.KV/Put'));
  });
});
