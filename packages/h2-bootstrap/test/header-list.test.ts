import { describe, expect, it } from 'vitest';
import { checkLocalHeaders, fieldNameProblem, headerListFilter, isConnectionSpecific, isValidFieldValue, splitFieldSections } from '../src/header-list.js';

const request = [
  [':method', 'CONNECT'],
  [':protocol', 'websocket'],
  [':scheme', 'https'],
  [':path', '/'],
  [':authority', 'example.com'],
  ['sec-websocket-version', '13'],
] as const;

describe('RFC 9113 8.2 / RFC 9114 4.2 field names', () => {
  it('accepts lower-case tokens and ":" + token', () => {
    for (const name of ['origin', 'x-a', "!#$%&'*+-.^_`|~09az", ':path', ':x']) expect(fieldNameProblem(name), name).toBeNull();
  });
  it('names uppercase first: "MUST be treated as malformed"', () => {
    for (const name of ['Origin', 'sec-WebSocket-version', ':Path', 'A b']) expect(fieldNameProblem(name), name).toBe('uppercase-field-name');
  });
  it('refuses what is not a token (RFC 9113 8.2.1 excluded ranges, colon inside)', () => {
    for (const name of ['', ':', '::path', 'a b', 'a:b', 'a\u0000', 'a\u007f', 'é', 'a"b', '(x)', 'a/b']) expect(fieldNameProblem(name), JSON.stringify(name)).toBe('invalid-field-name');
  });
});

describe('RFC 9113 8.2.1 / RFC 9114 10.3 field values', () => {
  it('refuses NUL, CR and LF anywhere, for both versions', () => {
    for (const version of ['h2', 'h3'] as const) {
      for (const value of ['a\u0000', '\rb', 'a\nb', 'a\r\nb']) expect(isValidFieldValue(value, version), `${version} ${JSON.stringify(value)}`).toBe(false);
    }
  });
  it('refuses leading and trailing SP or HTAB, allows them inside and allows the empty value', () => {
    for (const version of ['h2', 'h3'] as const) {
      for (const value of [' a', 'a ', '\ta', 'a\t', ' ', '\t']) expect(isValidFieldValue(value, version), JSON.stringify(value)).toBe(false);
      for (const value of ['', 'a b', 'a\tb', 'a  \t  b']) expect(isValidFieldValue(value, version), JSON.stringify(value)).toBe(true);
    }
  });
  it('HTTP/3 requires field-content: other controls and DEL are invalid; HTTP/2 only checks the minimum', () => {
    for (const value of ['a\u0001b', 'a\u001fb', 'a\u007fb']) {
      expect(isValidFieldValue(value, 'h2'), JSON.stringify(value)).toBe(true);
      expect(isValidFieldValue(value, 'h3'), JSON.stringify(value)).toBe(false);
    }
  });
  it('allows obs-text (0x80-0xff) and refuses what cannot be an octet', () => {
    expect(isValidFieldValue('caf\u00e9', 'h2')).toBe(true);
    expect(isValidFieldValue('caf\u00e9', 'h3')).toBe(true);
    expect(isValidFieldValue('\u0100', 'h2')).toBe(false);
    expect(isValidFieldValue('\u{1f600}', 'h3')).toBe(false);
  });
});

describe('RFC 9113 8.2.2 / RFC 9114 4.2 connection-specific fields', () => {
  it('refuses connection, keep-alive, proxy-connection, transfer-encoding and upgrade', () => {
    for (const name of ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']) {
      expect(isConnectionSpecific(name, 'x', true), name).toBe(true);
      expect(isConnectionSpecific(name, 'x', false), name).toBe(true);
    }
  });
  it('"TE ... MAY be present in an HTTP/2 request; ... MUST NOT contain any value other than trailers"', () => {
    expect(isConnectionSpecific('te', 'trailers', true)).toBe(false);
    // RFC 9110 10.1.4: t-codings = "trailers" / ..., an ABNF string: case-insensitive (RFC 5234 2.3).
    expect(isConnectionSpecific('te', 'Trailers', true)).toBe(false);
    expect(isConnectionSpecific('te', 'TRAILERS', true)).toBe(false);
    expect(isConnectionSpecific('te', 'Trailers', false)).toBe(true);
    expect(isConnectionSpecific('te', 'gzip', true)).toBe(true);
    expect(isConnectionSpecific('te', 'trailers, gzip', true)).toBe(true);
    expect(isConnectionSpecific('te', 'trailers', false)).toBe(true);
    expect(isConnectionSpecific('host', 'x', true)).toBe(false);
  });
});

describe('RFC 9113 8.3 / RFC 9114 4.3 pseudo-header fields', () => {
  it('splits pseudo-header fields from regular lines, keeping order', () => {
    const sections = splitFieldSections([...request, ['cookie', 'a=1'], ['cookie', 'b=2']], true, 'h2', true);
    expect(sections).toEqual({
      pseudo: new Map([[':method', 'CONNECT'], [':protocol', 'websocket'], [':scheme', 'https'], [':path', '/'], [':authority', 'example.com']]),
      regular: [['sec-websocket-version', '13'], ['cookie', 'a=1'], ['cookie', 'b=2']],
    });
  });
  it('the first offending line decides', () => {
    const headers = [...request, ['Upper', 'x'], [':late', 'x'], ['connection', 'close']] as const;
    expect(splitFieldSections(headers, true, 'h2', true)).toMatchObject({ type: 'malformed', kind: 'uppercase-field-name' });
    expect(splitFieldSections(headers.slice(0, 6).concat([[':late', 'x'], ['Upper', 'x']]), true, 'h2', true)).toMatchObject({ kind: 'pseudo-header-after-regular' });
  });
  it('within a line: name, then value, then pseudo-header rules', () => {
    expect(splitFieldSections([[':Method', '\r']], true, 'h2', true)).toMatchObject({ kind: 'uppercase-field-name' });
    expect(splitFieldSections([[':foo', '\r']], true, 'h2', true)).toMatchObject({ kind: 'invalid-field-value' });
  });
  it(':protocol is malformed unless this endpoint sent the setting (RFC 8441 3)', () => {
    expect(splitFieldSections(request, true, 'h2', false)).toMatchObject({ kind: 'extended-connect-not-enabled', action: { code: 0x1 } });
    expect(splitFieldSections(request, true, 'h3', false)).toMatchObject({ kind: 'extended-connect-not-enabled', action: { code: 0x10e } });
  });
  it('request pseudo-header fields are unknown in responses and :status in requests', () => {
    expect(splitFieldSections([[':status', '200'], [':protocol', 'websocket']], false, 'h2', true)).toMatchObject({ kind: 'unknown-pseudo-header' });
    expect(splitFieldSections([[':status', '200']], true, 'h2', true)).toMatchObject({ kind: 'unknown-pseudo-header' });
  });
  it('reports lines that are not pairs of strings instead of throwing', () => {
    for (const line of [null, [], ['a'], [1, 'x'], ['a', 2], 'ab']) {
      expect(splitFieldSections([line as never], true, 'h2', true), JSON.stringify(line)).toMatchObject({ kind: 'invalid-field-name' });
    }
  });
  it('throws TypeError for a list that is not an array or a bad version (local misuse)', () => {
    expect(() => splitFieldSections('x' as never, true, 'h2', true)).toThrow(TypeError);
    expect(() => splitFieldSections([], true, 'h1' as never, true)).toThrow(TypeError);
  });
});

describe('header lines added by the application', () => {
  it('accepts lower-case tokens with field-content values', () => {
    expect(() => checkLocalHeaders([['x-a', 'b c'], ['cookie', 'a=1']], true, () => false)).not.toThrow();
    expect(() => checkLocalHeaders(undefined, true, () => false)).not.toThrow();
    expect(() => checkLocalHeaders([['te', 'trailers']], true, () => false)).not.toThrow();
  });
  it('throws TypeError for anything a peer would treat as malformed or the package sets itself', () => {
    const bad = [[':path', '/'], ['X-A', '1'], ['x a', '1'], ['x', 'a\r\nb'], ['x', ' a'], ['x', 'a\u0001'], ['connection', 'close'], ['te', 'gzip'], ['reserved', '1'], ['x'], 'x-a: 1'];
    for (const line of bad) expect(() => checkLocalHeaders([line as never], true, (name) => name === 'reserved'), JSON.stringify(line)).toThrow(TypeError);
    expect(() => checkLocalHeaders([['te', 'trailers']], false, () => false)).toThrow(TypeError);
    expect(() => checkLocalHeaders('x-a' as never, true, () => false)).toThrow(TypeError);
  });
  it('are header-list rules on top of @hybi/handshake\'s shape, token and value checks', () => {
    const filter = headerListFilter(false);
    expect([filter('x-a', 'b'), filter('X-A', 'b'), filter(':status', '1'), filter('x', ' b'), filter('keep-alive', '1'), filter('te', 'trailers')]).toEqual([false, true, true, true, true, true]);
    expect(headerListFilter(true)('te', 'trailers')).toBe(false);
    expect(headerListFilter(true, (name) => name === 'origin')('origin', 'x')).toBe(true);
  });
});
