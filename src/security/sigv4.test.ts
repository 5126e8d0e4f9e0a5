import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { Sha256 } from '../testing/sha256.js';
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

  it('refuses an X-Amz-Date that is not YYYYMMDDTHHMMSSZ', () => {
    const auth =
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31';
    for (const amzDate of [
      '2015083OT123600Z',
      '20150830T123600',
      '20150830 123600Z',
      '20150830T12360Z',
      '',
    ]) {
      expect(() =>
        verifySigV4(
          request({ host: 'example.amazonaws.com', 'x-amz-date': amzDate, authorization: auth }),
          options,
        ),
      ).toThrow(amzDate ? /YYYYMMDDTHHMMSSZ/ : /X-Amz-Date/);
    }
  });

  it('keeps signing keys of different secrets and scopes apart', () => {
    const other = {
      ...options,
      lookupSecret: (id: string) => (id === accessKeyId ? `${secret}x` : undefined),
    };
    const req = () =>
      request({
        host: 'example.amazonaws.com',
        'x-amz-date': '20150830T123600Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
      });
    expect(verifySigV4(req(), options).accessKeyId).toBe(accessKeyId);
    expect(() => verifySigV4(req(), other)).toThrow(/does not match/);
    expect(verifySigV4(req(), options).accessKeyId).toBe(accessKeyId);
  });
});

describe('uriEncode', () => {
  it('keeps unreserved characters and percent-encodes the rest in upper case', () => {
    expect(uriEncode('abc-._~XYZ09')).toBe('abc-._~XYZ09');
    expect(uriEncode('a b/ü+')).toBe('a%20b%2F%C3%BC%2B');
    expect(uriEncode('a/b', true)).toBe('a/b');
  });
});

// Cross-checked against the AWS SDK's own signer: whatever it signs, we must accept, on the
// shapes where canonicalisation has fast paths (plain paths, single-valued plain headers).
describe('verifySigV4 against @smithy/signature-v4', () => {
  const credentials = { accessKeyId, secretAccessKey: secret };
  const rfc3986 = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

  async function signedRequest(
    service: string,
    method: string,
    path: string,
    query: Record<string, string>,
    headers: Record<string, string>,
    body: string,
  ): Promise<IncomingMessage> {
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const signer = new SignatureV4({
      service,
      region: 'us-east-1',
      sha256: Sha256,
      credentials,
      uriEscapePath: service !== 's3', // as the S3 client configures it
    });
    const signed = await signer.sign({
      method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 8080,
      path,
      query,
      headers: {
        host: '127.0.0.1:8080',
        ...(service === 's3' ? { 'x-amz-content-sha256': sha256Hex(body) } : {}),
        ...headers,
      },
      body,
    });
    const qs = Object.entries(query)
      .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
      .join('&');
    const lower = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
    return request(lower, qs ? `${path}?${qs}` : path, method);
  }

  const cases: [string, string, string, Record<string, string>, Record<string, string>][] = [
    ['sagemaker', 'POST', '/endpoints/my-endpoint/invocations', {}, { 'content-type': 'text/csv' }],
    [
      'sagemaker',
      'POST',
      '/endpoints/my-endpoint/invocations',
      {},
      { 'x-amzn-sagemaker-custom-attributes': 'a  b\tc   d', 'content-type': 'text/csv' },
    ],
    ['sagemaker', 'POST', '/endpoints/a%20b%C3%BC/invocations', {}, {}],
    ['s3', 'GET', '/bucket/dir/key.csv', { 'list-type': '2', prefix: 'a b/ü', delimiter: '/' }, {}],
    ['s3', 'PUT', '/bucket/a%20b/%C3%BC%2Bc.txt', {}, { 'content-type': 'text/plain;  charset=utf-8' }],
  ];
  for (const [service, method, path, query, headers] of cases) {
    it(`${service} ${method} ${path} ${JSON.stringify(headers)}`, async () => {
      const body = method === 'GET' ? '' : '1,2,3';
      const req = await signedRequest(service, method, path, query, headers, body);
      const dialect = service === 's3' ? ('s3' as const) : ('json' as const);
      const verified = verifySigV4(req, {
        dialect,
        lookupSecret: (id) => (id === accessKeyId ? secret : undefined),
        maxSkewSeconds: 900,
        bodySha256: dialect === 'json' ? sha256Hex(body) : undefined,
      });
      expect(verified.service).toBe(service);
      const tampered = { ...req, url: `${req.url}x` } as IncomingMessage;
      expect(() =>
        verifySigV4(tampered, {
          dialect,
          lookupSecret: () => secret,
          maxSkewSeconds: 900,
          bodySha256: dialect === 'json' ? sha256Hex(body) : undefined,
        }),
      ).toThrow();
    });
  }
});
