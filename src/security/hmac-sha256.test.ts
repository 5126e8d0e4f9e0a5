import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, HmacSha256Key } from './hmac-sha256.js';

describe('HmacSha256Key', () => {
  it('equals createHmac for keys shorter than, equal to and longer than a block', () => {
    for (const keyLength of [0, 1, 32, 63, 64, 65, 200]) {
      const key = randomBytes(keyLength);
      const hmac = new HmacSha256Key(key);
      for (const message of ['', 'a', 'AWS4-HMAC-SHA256\n20261207T000000Z\nscope\nabc', 'é✓😀'.repeat(50)]) {
        expect(hmac.hex(message)).toBe(createHmac('sha256', key).update(message, 'utf8').digest('hex'));
      }
    }
  });

  it('matches RFC 4231 test case 2', () => {
    expect(new HmacSha256Key(Buffer.from('Jefe')).hex('what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('gives the same answer for a message longer than its scratch room', () => {
    const key = randomBytes(32);
    const long = 'x'.repeat(5000);
    expect(new HmacSha256Key(key).hex(long)).toBe(createHmac('sha256', key).update(long).digest('hex'));
    // And a short one after it still uses a clean inner block.
    expect(new HmacSha256Key(key).hex('short')).toBe(createHmac('sha256', key).update('short').digest('hex'));
  });

  it('keeps two keys apart when used alternately', () => {
    const [a, b] = [randomBytes(32), randomBytes(32)];
    const [ka, kb] = [new HmacSha256Key(a), new HmacSha256Key(b)];
    for (let i = 0; i < 5; i++) {
      expect(ka.hex(`m${i}`)).toBe(createHmac('sha256', a).update(`m${i}`).digest('hex'));
      expect(kb.hex(`m${i}`)).toBe(createHmac('sha256', b).update(`m${i}`).digest('hex'));
    }
  });
});

describe('constantTimeEqual', () => {
  it('is true only for equal strings', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'ab')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
