// SigV4 as the bedrock/ provider signs (src/providers/bedrock/sigv4.ts): checked against AWS's published
// Signature Version 4 test suite (aws-sig-v4-test-suite: credentials AKIDEXAMPLE, date 20150830T123600Z, region
// us-east-1, service "service"), then against aws4fetch's signer (a devDependency) on the requests the gateway
// sends: the same canonical request and signature for the same inputs and date.
import { AwsV4Signer } from 'aws4fetch';
import { describe, expect, it } from 'vitest';
import { sigV4 } from '../../src/providers/bedrock/sigv4';

const SUITE = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  service: 'service',
};
const DATE = '20150830T123600Z';
const SCOPE = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';
const STS_TOKEN =
  'AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==';

const vectors: Array<{ name: string; method: string; path?: string; sessionToken?: string; want: string }> = [
  { name: 'get-vanilla', method: 'GET', want: 'host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
  { name: 'post-vanilla', method: 'POST', want: 'host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b' },
  {
    name: 'post-sts-header-before',
    method: 'POST',
    sessionToken: STS_TOKEN,
    want: 'host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead',
  },
];

describe('SigV4 against the AWS test suite', () => {
  for (const v of vectors) {
    it(v.name, async () => {
      const headers = await sigV4(v.method, 'https://example.amazonaws.com/', {}, undefined, { ...SUITE, sessionToken: v.sessionToken }, new Map(), DATE);
      expect(headers.get('authorization')).toBe(`${SCOPE}, SignedHeaders=${v.want}`);
      expect(headers.get('x-amz-date')).toBe(DATE);
      expect(headers.get('x-amz-security-token')).toBe(v.sessionToken ?? null);
    });
  }
});

const BEDROCK = { accessKeyId: 'AKIDBEDROCKTEST1', secretAccessKey: 'br-secret/key+0123456789abcdef', region: 'eu-west-3', service: 'bedrock' };
const HOST = 'https://bedrock-runtime.eu-west-3.amazonaws.com';
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };
const bytes = new TextEncoder().encode('{"inputText":"héllo"}').buffer as ArrayBuffer;

const cases: Array<{ name: string; method: string; url: string; headers?: Record<string, string>; body?: string | ArrayBuffer; sessionToken?: string }> = [
  { name: 'Converse, the model id encoded twice', method: 'POST', url: `${HOST}/model/us.anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse`, body: '{"messages":[]}' },
  { name: 'ConverseStream with a session token', method: 'POST', url: `${HOST}/model/amazon.nova-pro-v1%3A0/converse-stream`, body: '{}', sessionToken: 'FwoGZXIvYXdzE//token+/=' },
  { name: 'an ARN with / and : in one segment', method: 'POST', url: `${HOST}/model/${encodeURIComponent('arn:aws:bedrock:eu-west-3:123456789012:inference-profile/eu.meta.llama3-2-1b')}/invoke`, body: bytes },
  { name: "a path with spaces, unicode, !'()* and repeated slashes", method: 'GET', url: `${HOST}/a b//ሴ/x!'()*~._-/%2F%41`, body: undefined },
  {
    name: 'a query: keys out of order, repeated keys, empty values, + and spaces, reserved and unicode characters',
    method: 'GET',
    url: `${HOST}/agents/list?maxResults=10&nextToken=a%2Bb%2Fc%3D&b=2&a=2&a=1&a=10&empty=&sp=a+b%20c&u=ሴ&bang=!'()*&=nokey&x~y=1`,
  },
  { name: 'a lowercase method, an empty body, headers with runs of spaces', method: 'delete', url: `${HOST}/flows/f1?force=true`, headers: { accept: 'application/json,  text/plain', 'x-amz-target': 'a   b' }, body: '' },
  { name: 'an ArrayBuffer body (pass-through)', method: 'PUT', url: `${HOST.replace('runtime', 'agent-runtime')}/knowledgebases/kb1/retrieve`, body: bytes, sessionToken: STS_TOKEN },
];

describe('SigV4 equals aws4fetch on the requests the gateway signs', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const headers = c.headers ?? JSON_HEADERS;
      const ours = await sigV4(c.method, c.url, headers, c.body, { ...BEDROCK, sessionToken: c.sessionToken }, new Map(), DATE);
      const signer = new AwsV4Signer({ ...BEDROCK, method: c.method, url: c.url, headers, body: c.body, sessionToken: c.sessionToken, datetime: DATE });
      const theirs = (await signer.sign()).headers;
      expect(ours.get('authorization')).toBe(theirs.get('authorization'));
      expect(Object.fromEntries(ours)).toEqual(Object.fromEntries(theirs));
    });
  }

  it('keeps one signing key per secret, day, region and service', async () => {
    const keys = new Map<string, ArrayBuffer>();
    const sign = (date: string, secretAccessKey = BEDROCK.secretAccessKey) => sigV4('POST', `${HOST}/model/m/converse`, JSON_HEADERS, '{}', { ...BEDROCK, secretAccessKey }, keys, date);
    const first = await sign(DATE);
    expect((await sign(DATE)).get('authorization')).toBe(first.get('authorization'));
    expect(keys.size).toBe(1);
    await sign('20150831T000000Z');
    await sign(DATE, 'another-secret');
    expect(keys.size).toBe(3);
  });
});
