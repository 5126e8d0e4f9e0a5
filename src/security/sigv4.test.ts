import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { deriveSigningKey, sha256Hex, uriEncode, verifySigV4 } from './sigv4.js';

// AWS's published SigV4 test vector ("get-vanilla" of the aws-sig-v4-test-suite): service
// `service`, region us-east-1, the example key pair from AWS's documentation.
const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const accessKeyId = 'AKIDEXAMPLE';

function request(headers: Record<string, string | string[]>, url = '/', method = 'GET'): IncomingMessage {
  const distinct: Record<string, string[]> = {};
  const joined: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    distinct[k] = Array.isArray(v) ? v : [v];
    joined[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return { method, url, headers: joined, headersDistinct: distinct } as unknown as IncomingMessage;
}

function sign(canonical: string, amzDate: string, scope: string): string {
  const sts = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  return createHmac('sha256', deriveSigningKey(secret, '20150830', 'us-east-1', 'service'))
    .update(sts)
    .digest('hex');
}

describe('verifySigV4', () => {
  const now = Date.UTC(2015, 7, 30, 12, 36, 0);
  const options = {
    dialect: 'json' as const,
    lookupSecret: (id: string) => (id === accessKeyId ? secret : undefined),
    maxSkewSeconds: 900,
    now,
  };

  it("accepts AWS's get-vanilla example signature", () => {
    const req = request({
      host: 'example.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    });
    expect(verifySigV4(req, options).accessKeyId).toBe(accessKeyId);
  });

  it('joins a header sent twice with a comma, as SigV4 defines', () => {
    const canonical = [
      'GET',
      '/',
      '',
      'host:example.amazonaws.com\nmy-header1:value2,value1\nx-amz-date:20150830T123600Z\n',
      'host;my-header1;x-amz-date',
      sha256Hex(''),
    ].join('\n');
    const signature = sign(canonical, '20150830T123600Z', '20150830/us-east-1/service/aws4_request');
    const req = request({
      host: 'example.amazonaws.com',
      'my-header1': ['value2', 'value1'],
      'x-amz-date': '20150830T123600Z',
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=${signature}`,
    });
    expect(verifySigV4(req, options).accessKeyId).toBe(accessKeyId);
  });

  it('refuses a changed header, an unknown key and a stale date', () => {
    const auth =
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31';
    expect(() =>
      verifySigV4(
        request({ host: 'other.example.com', 'x-amz-date': '20150830T123600Z', authorization: auth }),
        options,
      ),
    ).toThrow(/does not match/);
    expect(() =>
      verifySigV4(
        request({
          host: 'example.amazonaws.com',
          'x-amz-date': '20150830T123600Z',
          authorization: auth.replace('AKIDEXAMPLE', 'AKIDOTHER'),
        }),
        options,
      ),
    ).toThrow(/security token/);
    expect(() =>
      verifySigV4(
        request({ host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z', authorization: auth }),
        { ...options, now: now + 3_600_000 },
      ),
    ).toThrow(/expired/);
  });
});

describe('uriEncode', () => {
  it('keeps unreserved characters and percent-encodes the rest in upper case', () => {
    expect(uriEncode('abc-._~XYZ09')).toBe('abc-._~XYZ09');
    expect(uriEncode('a b/ü+')).toBe('a%20b%2F%C3%BC%2B');
    expect(uriEncode('a/b', true)).toBe('a/b');
  });
});
