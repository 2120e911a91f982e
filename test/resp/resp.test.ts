import { describe, it, expect } from 'vitest';
import { RequestParser, ProtocolError, splitArgs } from '../../src/resp/request-parser.js';
import { ReplyParser, RespError, RespMap } from '../../src/resp/reply-parser.js';

const parser = (authRequired = false) =>
  new RequestParser({ maxBulkLen: 512 * 1024 * 1024, authRequired: () => authRequired });

function parseAll(p: RequestParser, input: string): string[][] {
  p.feed(Buffer.from(input, 'latin1'));
  const out: string[][] = [];
  for (let c = p.next(); c; c = p.next()) out.push(c);
  return out;
}

describe('request parser', () => {
  it('parses pipelined multibulk and inline commands', () => {
    expect(parseAll(parser(), '*2\r\n$3\r\nGET\r\n$1\r\na\r\nPING\r\n*1\r\n$4\r\nPING\r\n')).toEqual([
      ['GET', 'a'],
      ['PING'],
      ['PING'],
    ]);
  });
  it('handles frames split at every byte', () => {
    const input = '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\nset "a b" \'c\'\r\n';
    const p = parser();
    const out: string[][] = [];
    for (const ch of input) {
      p.feed(Buffer.from(ch, 'latin1'));
      for (let c = p.next(); c; c = p.next()) out.push(c);
    }
    expect(out).toEqual([
      ['SET', 'k', 'hello'],
      ['set', 'a b', 'c'],
    ]);
  });
  it('gathers large bulks arriving in pieces', () => {
    const big = 'x'.repeat(100_000);
    const frame = `*2\r\n$4\r\nECHO\r\n$${big.length}\r\n${big}\r\n`;
    const p = parser();
    const out: string[][] = [];
    for (let i = 0; i < frame.length; i += 7000) {
      p.feed(Buffer.from(frame.slice(i, i + 7000), 'latin1'));
      for (let c = p.next(); c; c = p.next()) out.push(c);
    }
    expect(out).toHaveLength(1);
    expect(out[0]![1]).toBe(big);
    expect(p.lastCommandBytes).toBe(frame.length);
  });
  it('words protocol errors as Redis', () => {
    const err = (input: string, auth = false) => {
      try {
        parseAll(parser(auth), input);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError);
        return (e as Error).message;
      }
      return null;
    };
    expect(err('*abc\r\n')).toBe('Protocol error: invalid multibulk length');
    expect(err('*1\r\n$x\r\n')).toBe('Protocol error: invalid bulk length');
    expect(err('*1\r\n+x\r\n')).toBe("Protocol error: expected '$', got '+'");
    expect(err('set "a\r\n')).toBe('Protocol error: unbalanced quotes in request');
    expect(err('*20\r\n', true)).toBe('Protocol error: unauthenticated multibulk length');
    expect(err('*1\r\n$16385\r\n', true)).toBe('Protocol error: unauthenticated bulk length');
    expect(err('x'.repeat(70 * 1024))).toBe('Protocol error: too big inline request');
  });
  it('splits arguments with Redis quoting rules', () => {
    expect(splitArgs("set \"a\\x41\\n\" 'it\\'s'")).toEqual(['set', 'aA\n', "it's"]);
    expect(splitArgs('"a"b')).toBeNull();
  });
});

describe('reply parser', () => {
  it('parses RESP2 and RESP3 values', () => {
    const p = new ReplyParser();
    p.feed(
      Buffer.from(
        '+OK\r\n-ERR bad\r\n:5\r\n$3\r\nabc\r\n$-1\r\n*2\r\n:1\r\n$1\r\nx\r\n%1\r\n+k\r\n,1.5\r\n_\r\n#t\r\n',
        'latin1',
      ),
    );
    const vals = [];
    for (let v = p.next(); v !== undefined; v = p.next()) vals.push(v);
    expect(vals[0]).toBe('OK');
    expect(vals[1]).toBeInstanceOf(RespError);
    expect(vals.slice(2, 6)).toEqual([5, 'abc', null, [1, 'x']]);
    expect((vals[6] as RespMap).get('k')).toBe(1.5);
    expect(vals.slice(7)).toEqual([null, true]);
  });
  it('waits for incomplete frames', () => {
    const p = new ReplyParser();
    p.feed(Buffer.from('*2\r\n$3\r\nab'));
    expect(p.next()).toBeUndefined();
    p.feed(Buffer.from('c\r\n:1\r\n'));
    expect(p.next()).toEqual(['abc', 1]);
  });
});
