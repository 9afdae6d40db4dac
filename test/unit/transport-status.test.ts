import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointAuthority, hasScheme, parseEndpoint } from '../../src/transport/endpoint.js';
import {
  decodeGrpcMessage,
  encodeGrpcMessage,
  encodeTimeout,
  metadataFromHeaders,
  parseGrpcStatus,
  parseTimeout,
  statusFromHttpStatus,
  statusFromRstCode,
  statusName,
} from '../../src/transport/status.js';
import { Status } from '../../src/transport/types.js';

describe('grpc-timeout', () => {
  it('uses milliseconds for whole ms up to 8 digits', () => {
    assert.equal(encodeTimeout(1), '1m');
    assert.equal(encodeTimeout(1500), '1500m');
    assert.equal(encodeTimeout(99_999_999), '99999999m');
  });
  it('uses microseconds for fractional ms, rounding up', () => {
    assert.equal(encodeTimeout(0.25), '250u');
    assert.equal(encodeTimeout(1.0000001), '1001u');
    assert.equal(encodeTimeout(0.0000001), '1u');
    assert.equal(encodeTimeout(100_000.5), '100001m');
  });
  it('moves to seconds, minutes, hours when ms need more than 8 digits, rounding up', () => {
    assert.equal(encodeTimeout(100_000_000), '100000S');
    assert.equal(encodeTimeout(100_000_001), '100001S');
    assert.equal(encodeTimeout(99_999_999_000), '99999999S');
    assert.equal(encodeTimeout(99_999_999_001), '1666667M');
    assert.equal(encodeTimeout(6_000_000_000_000), '1666667H');
    assert.equal(encodeTimeout(Number.MAX_SAFE_INTEGER), '99999999H');
    assert.equal(encodeTimeout(Infinity), '99999999H');
  });
  it('never has more than 8 digits', () => {
    for (let ms = 0.001; ms < 1e16; ms *= 3.7) {
      const value = encodeTimeout(ms);
      assert.match(value, /^[0-9]{1,8}[HMSmun]$/, `for ${ms}`);
      // Rounded up, except above the cap of 99999999 hours.
      if (ms < 99_999_999 * 3_600_000) assert.ok(parseTimeout(value)! >= ms * (1 - 1e-12), `${value} rounds ${ms} up`);
    }
  });
  it('gives 0n for a deadline already passed', () => {
    assert.equal(encodeTimeout(0), '0n');
    assert.equal(encodeTimeout(-5), '0n');
    assert.equal(encodeTimeout(Number.NaN), '0n');
  });
  it('parses every unit', () => {
    assert.equal(parseTimeout('2H'), 7_200_000);
    assert.equal(parseTimeout('3M'), 180_000);
    assert.equal(parseTimeout('4S'), 4000);
    assert.equal(parseTimeout('5m'), 5);
    assert.equal(parseTimeout('6000u'), 6);
    assert.equal(parseTimeout('7000000n'), 7);
    assert.equal(parseTimeout('123456789m'), undefined);
    assert.equal(parseTimeout('5'), undefined);
    assert.equal(parseTimeout('5x'), undefined);
  });
});

describe('grpc-message', () => {
  it('percent-decodes UTF-8', () => {
    assert.equal(decodeGrpcMessage('plain message'), 'plain message');
    assert.equal(decodeGrpcMessage('100%25 sure'), '100% sure');
    assert.equal(decodeGrpcMessage('caf%C3%A9 %E2%9C%93 %F0%9F%98%80'), 'café ✓ 😀');
    assert.equal(decodeGrpcMessage('line1%0Aline2'), 'line1\nline2');
    assert.equal(decodeGrpcMessage('%c3%a9'), 'é', 'lower-case hex');
  });
  it('keeps malformed escapes as they are', () => {
    assert.equal(decodeGrpcMessage('50%'), '50%');
    assert.equal(decodeGrpcMessage('50%z1 and %4'), '50%z1 and %4');
    assert.equal(decodeGrpcMessage('%%41'), '%A');
  });
  it('decodes raw UTF-8 bytes that node:http2 hands over as Latin-1', () => {
    const latin1 = Buffer.from('größe ✓', 'utf8').toString('latin1');
    assert.equal(decodeGrpcMessage(latin1), 'größe ✓');
  });
  it('turns invalid UTF-8 into U+FFFD', () => {
    assert.equal(decodeGrpcMessage('bad %FF byte'), 'bad \uFFFD byte');
  });
  it('round-trips through the server-side encoding', () => {
    for (const text of ['', 'ascii', '100% done', 'ünïcødé ✓ 😀\t\r\n', '%2F already']) {
      assert.equal(decodeGrpcMessage(encodeGrpcMessage(text)), text);
    }
    assert.equal(encodeGrpcMessage('a%b é'), 'a%25b %C3%A9');
  });
});

describe('grpc-status', () => {
  it('parses codes 0-16 and maps anything else to UNKNOWN', () => {
    assert.equal(parseGrpcStatus('0'), Status.OK);
    assert.equal(parseGrpcStatus('14'), Status.UNAVAILABLE);
    assert.equal(parseGrpcStatus('16'), Status.UNAUTHENTICATED);
    for (const bad of ['17', '99', '-1', '', ' 1', '1.0', 'x', '100', undefined, ['1', '2']]) {
      assert.equal(parseGrpcStatus(bad as string), Status.UNKNOWN, String(bad));
    }
    assert.equal(statusName(Status.DEADLINE_EXCEEDED), 'DEADLINE_EXCEEDED');
  });
});

describe('HTTP status without grpc-status', () => {
  it('maps as the gRPC HTTP/2 protocol document says', () => {
    assert.equal(statusFromHttpStatus(400), Status.INTERNAL);
    assert.equal(statusFromHttpStatus(401), Status.UNAUTHENTICATED);
    assert.equal(statusFromHttpStatus(403), Status.PERMISSION_DENIED);
    assert.equal(statusFromHttpStatus(404), Status.UNIMPLEMENTED);
    for (const s of [429, 502, 503, 504]) assert.equal(statusFromHttpStatus(s), Status.UNAVAILABLE);
    for (const s of [200, 301, 405, 500, 418]) assert.equal(statusFromHttpStatus(s), Status.UNKNOWN);
  });
});

describe('RST_STREAM codes', () => {
  it('maps codes to a status and whether the request may have been processed', () => {
    assert.deepEqual(statusFromRstCode(7), { code: Status.UNAVAILABLE, sent: false, name: 'REFUSED_STREAM' });
    assert.deepEqual(statusFromRstCode(8), { code: Status.CANCELLED, sent: true, name: 'CANCEL' });
    assert.deepEqual(statusFromRstCode(11), { code: Status.RESOURCE_EXHAUSTED, sent: true, name: 'ENHANCE_YOUR_CALM' });
    assert.deepEqual(statusFromRstCode(12), { code: Status.PERMISSION_DENIED, sent: true, name: 'INADEQUATE_SECURITY' });
    for (const code of [0, 1, 2, 3, 4, 5, 6, 9, 10, 13]) {
      const mapped = statusFromRstCode(code);
      assert.equal(mapped.code, Status.INTERNAL, `code ${code}`);
      assert.equal(mapped.sent, true);
    }
    assert.deepEqual(statusFromRstCode(0x99), { code: Status.INTERNAL, sent: true, name: '0x99' });
  });
});

describe('metadataFromHeaders', () => {
  it('drops pseudo-headers and the status headers, joins repeated values', () => {
    assert.deepEqual(
      metadataFromHeaders([':status', '200', 'grpc-status', '3', 'grpc-message', 'x', 'x-a', 'b', 'set-cookie', '1', 'set-cookie', '2']),
      { 'x-a': 'b', 'set-cookie': '1, 2' },
    );
    assert.deepEqual(metadataFromHeaders(undefined), {});
  });
});

describe('parseEndpoint', () => {
  it('parses http, https, bare host:port and IPv6', () => {
    assert.deepEqual(parseEndpoint('http://127.0.0.1:2379'), { url: 'http://127.0.0.1:2379', host: '127.0.0.1', port: 2379, tls: false });
    assert.deepEqual(parseEndpoint('https://etcd-0.example.com:2379/'), { url: 'https://etcd-0.example.com:2379/', host: 'etcd-0.example.com', port: 2379, tls: true });
    assert.deepEqual(parseEndpoint('HTTPS://Etcd:1'), { url: 'HTTPS://Etcd:1', host: 'Etcd', port: 1, tls: true });
    assert.deepEqual(parseEndpoint('localhost:23790'), { url: 'localhost:23790', host: 'localhost', port: 23790, tls: false });
    assert.deepEqual(parseEndpoint('[::1]:2379'), { url: '[::1]:2379', host: '::1', port: 2379, tls: false });
    assert.deepEqual(parseEndpoint('https://[fe80::1:2]:65535'), { url: 'https://[fe80::1:2]:65535', host: 'fe80::1:2', port: 65535, tls: true });
  });
  it('parses Unix socket endpoints as clientv3 3.5: absolute, relative, unixs for TLS, the server name from the file name', () => {
    assert.deepEqual(parseEndpoint('unix:///run/etcd/localhost:2379'), {
      url: 'unix:///run/etcd/localhost:2379', host: 'localhost', port: 0, tls: false, path: '/run/etcd/localhost:2379',
    });
    assert.deepEqual(parseEndpoint('unixs:///var/run/etcd.sock'), {
      url: 'unixs:///var/run/etcd.sock', host: 'etcd.sock', port: 0, tls: true, path: '/var/run/etcd.sock',
    });
    // etcd's own `unix://localhost:2379` listener: a file of that name in its working directory.
    assert.deepEqual(parseEndpoint('unix://localhost:2379'), { url: 'unix://localhost:2379', host: 'localhost', port: 0, tls: false, path: 'localhost:2379' });
    assert.deepEqual(parseEndpoint('unix:rel/etcd:1').path, 'rel/etcd:1');
    assert.deepEqual(parseEndpoint('UNIXS:/abs/[::1]:2').host, '::1');
    // `unix://` takes the client's TLS settings, as clientv3 does (plain without them).
    assert.equal(parseEndpoint('unix:///s', { tls: true }).tls, true);
    // A file name that is no host name: the server name is localhost.
    assert.equal(parseEndpoint('unix:///tmp/my socket').host, 'localhost');
    assert.equal(endpointAuthority(parseEndpoint('unixs:///run/etcd/etcd.example:2379')), 'etcd.example');
    assert.equal(endpointAuthority(parseEndpoint('unix:///x/[::1]:1')), '[::1]');
    // Whether a scheme is written (bare host:port takes the client's): unix: forms count.
    assert.deepEqual(['unix:///s', 'unix:rel', 'UNIXS://x', 'https://h:1', 'h:1', '[::1]:2'].map(hasScheme), [true, true, true, true, false, false]);
  });
  it('gives the :authority, with IPv6 in brackets', () => {
    assert.equal(endpointAuthority(parseEndpoint('https://[::1]:2379')), '[::1]:2379');
    assert.equal(endpointAuthority(parseEndpoint('https://etcd:2379/')), 'etcd:2379');
    assert.equal(endpointAuthority(parseEndpoint('10.0.0.1:1')), '10.0.0.1:1');
  });
  it('throws an error naming the bad endpoint and the problem', () => {
    const cases: Array<[string, RegExp]> = [
      ['localhost', /no port/],
      ['http://localhost', /no port/],
      ['http://:2379', /no host/],
      ['unix://', /no socket path/],
      ['unixs:', /no socket path/],
      [`unix:///${'d/'.repeat(60)}s`, /socket path is 122 bytes long; Unix sockets take at most 107/],
      ['grpc://h:1', /unsupported scheme/],
      ['h:0', /out of range/],
      ['h:65536', /out of range/],
      ['h:12a', /not a number/],
      ['::1:2379', /brackets/],
      ['[not-v6]:2379', /not an IPv6 address/],
      ['http://h:2379/v3/kv', /not of the form/],
      [' h:2379', /not of the form/],
      ['bad_host!:1', /not a valid host name/],
      ['', /no host/],
    ];
    for (const [endpoint, problem] of cases) {
      assert.throws(
        () => parseEndpoint(endpoint),
        (e: unknown) => e instanceof Error && e.message.includes(`'${endpoint}'`) && problem.test(e.message),
        endpoint,
      );
    }
    // User info is refused and masked in the message (it may hold a password).
    assert.throws(() => parseEndpoint('http://user:pw@h:2379'), (e: unknown) =>
      e instanceof Error && e.message.includes("'http://***@h:2379'") && /user info/.test(e.message) && !e.message.includes('pw@'));
    assert.throws(() => parseEndpoint(2379 as unknown as string), TypeError);
  });
});
