import { AwsError } from '../../errors/aws-error.js';

/**
 * Just enough XML for S3: writing responses by hand with escaping, and reading the three
 * small request bodies (Delete, CompleteMultipartUpload, CreateBucketConfiguration) with a
 * tolerant element scanner. No DTDs, no namespaces prefixes, no entity expansion beyond the
 * predefined five and character references.
 */

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Escapes text for element content and attribute values; drops characters XML 1.0 cannot carry. */
export function escapeXml(value: string): string {
  return value
    .replace(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g,
      (c) => `&#x${c.charCodeAt(0).toString(16)};`,
    )
    .replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}

/** A child value: text, a number, a boolean, nested children, or absent (omitted). */
export type XmlValue = string | number | boolean | Date | readonly XmlNode[] | undefined;
export type XmlNode = readonly [name: string, value: XmlValue];

function render(value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map(([name, v]) => element(name, v)).join('');
  if (value instanceof Date) return value.toISOString();
  return escapeXml(String(value));
}

function element(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  return `<${name}>${render(value)}</${name}>`;
}

/** A full document: declaration and root element in S3's namespace. */
export function xmlDocument(root: string, children: readonly XmlNode[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_NAMESPACE}">${render(children)}</${root}>`;
}

export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[ref as 'amp']!;
  });
}

/** The raw inner XML of every `<name>` element (any namespace prefix), in document order. */
export function elements(xml: string, name: string): string[] {
  const re = new RegExp(
    `<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</(?:[\\w-]+:)?${name}\\s*>)`,
    'g',
  );
  return [...xml.matchAll(re)].map((m) => m[1] ?? '');
}

/** Text of the first `<name>` element, unescaped; undefined when absent. */
export function text(xml: string, name: string): string | undefined {
  const [first] = elements(xml, name);
  if (first === undefined) return undefined;
  const cdata = /^\s*<!\[CDATA\[([\s\S]*)\]\]>\s*$/.exec(first);
  return cdata ? cdata[1] : unescapeXml(first);
}

/** Parses a request body, refusing what is not XML with S3's MalformedXML. */
export function parseXmlBody(body: Buffer, root: string): string {
  const xml = body.toString('utf8').replace(/^\uFEFF/, '');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw malformedXml();
  if (elements(xml, root).length !== 1) throw malformedXml();
  return xml;
}

export function malformedXml(): AwsError {
  return new AwsError(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema.',
  );
}
