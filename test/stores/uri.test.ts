import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { openStore } from '../../registry/stores/open.ts';
import { checkKey, parseUri } from '../../registry/stores/uri.ts';

describe('parseUri', () => {
  it('parseUri reads paths, file URIs and s3 URIs', () => {
    expect(parseUri('rel/dir', '/base')).toEqual({ kind: 'file', path: '/base/rel/dir' });
    expect(parseUri('/abs/dir')).toEqual({ kind: 'file', path: '/abs/dir' });
    expect(parseUri('file:///abs/my%20dir')).toEqual({ kind: 'file', path: '/abs/my dir' });
    expect(parseUri('s3://bucket')).toEqual({ kind: 's3', bucket: 'bucket', key: '' });
    expect(parseUri('s3://my.bucket-1/a/b/')).toEqual({ kind: 's3', bucket: 'my.bucket-1', key: 'a/b' });
  });

  it.each([
    ['', /empty location/],
    ['s3://', /'s3:\/\/' has no bucket; expected s3:\/\/bucket\/prefix/],
    ['s3:///prefix', /has no bucket/],
    ['s3://Bad_Bucket/x', /invalid bucket name 'Bad_Bucket'/],
    ['s3://bucket/a/../b', /'\.\.' segments/],
    [
      'gs://bucket/x',
      /unknown scheme 'gs:\/\/' in 'gs:\/\/bucket\/x'; expected a path, file:\/\/\/abs\/path or s3:\/\/bucket\/prefix/,
    ],
    ['file://host/x', /invalid file URI 'file:\/\/host\/x'/],
  ])('parseUri refuses %j with a UsageError naming it', (uri, message) => {
    expect(() => parseUri(uri)).toThrow(UsageError);
    expect(() => parseUri(uri)).toThrow(message);
  });

  it('openStore refuses an s3 URI without a bucket before contacting anything', () => {
    expect(() => openStore('s3://')).toThrow(UsageError);
    expect(() => openStore('ftp://x/y')).toThrow(/unknown scheme 'ftp:\/\/'/);
  });

  it('openStore normalises base URIs', () => {
    expect(openStore('/tmp/some store').baseUri).toBe('file:///tmp/some%20store');
    expect(openStore('s3://bucket/models/', { env: {} }).baseUri).toBe('s3://bucket/models');
  });

  it('openStore refuses a malformed endpoint naming the variable', () => {
    expect(() => openStore('s3://bucket/x', { env: { AWS_ENDPOINT_URL_S3: 'localhost:9000' } })).toThrow(
      /invalid S3 endpoint 'localhost:9000' \(AWS_ENDPOINT_URL_S3/,
    );
  });
});

describe('checkKey', () => {
  it.each(['', '/abs', 'a//b', 'a/../b', 'a\\b', 'sha256/ab/cd', '.meta/x'])('checkKey refuses %j', (key) => {
    expect(() => checkKey(key)).toThrow(UsageError);
  });

  it('checkKey accepts relative keys and drops a trailing slash', () => {
    expect(checkKey('checkpoints/run-1/step-100.pt')).toBe('checkpoints/run-1/step-100.pt');
    expect(checkKey('reports/x/')).toBe('reports/x');
  });
});
