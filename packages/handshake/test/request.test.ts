import { describe, expect, it } from 'vitest';
import { createRequest, parseWebSocketUrl } from '../src/request.js';
import { text } from './helpers.js';

describe('RFC 6455 3 WebSocket URIs', () => {
  it('splits scheme, host, port and target', () => {
    expect(parseWebSocketUrl('ws://example.com')).toEqual({ secure: false, hostname: 'example.com', port: 80, host: 'example.com', target: '/' });
    expect(parseWebSocketUrl('WSS://EXAMPLE.com:8443/p/q?r=s')).toEqual({ secure: true, hostname: 'example.com', port: 8443, host: 'example.com:8443', target: '/p/q?r=s' });
    expect(parseWebSocketUrl('ws://192.0.2.1:80?x')).toEqual({ secure: false, hostname: '192.0.2.1', port: 80, host: '192.0.2.1', target: '/?x' });
    expect(parseWebSocketUrl('ws://[2001:db8::1]:8080/')).toMatchObject({ hostname: '[2001:db8::1]', host: '[2001:db8::1]:8080' });
    expect(parseWebSocketUrl('ws://h:/x')).toMatchObject({ port: 80, host: 'h' });
    expect(parseWebSocketUrl('ws://xn--caf-dma.example/%C3%A9')).toMatchObject({ hostname: 'xn--caf-dma.example', target: '/%C3%A9' });
  });
  it('refuses what a WebSocket URI cannot hold', () => {
    for (const url of ['', 'ws:/h', 'ftp://h', 'ws://h/#', 'ws://h/a#b', 'ws://user:pw@h/', 'ws://h:99999', 'ws://h:-1', 'ws://h/a\nb', 'ws://café/', 'ws://h/é', ' ws://h']) {
      expect(() => parseWebSocketUrl(url), url).toThrow(TypeError);
    }
  });
});

describe('RFC 6455 4.1 request head', () => {
  const url = parseWebSocketUrl('ws://h/x');
  it('has the required fields in order, then the options', () => {
    expect(text(createRequest(url, 'k', {}))).toBe('GET /x HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: k\r\nSec-WebSocket-Version: 13\r\n\r\n');
  });
  it('refuses reserved and malformed headers', () => {
    for (const name of ['Host', 'upgrade', 'Connection', 'Sec-WebSocket-Key', 'Sec-WebSocket-Version', 'Sec-WebSocket-Protocol', 'Sec-WebSocket-Extensions', 'Origin', 'Content-Length', 'Transfer-Encoding']) {
      expect(() => createRequest(url, 'k', { headers: [[name, 'x']] }), name).toThrow(TypeError);
    }
    expect(() => createRequest(url, 'k', { origin: 'x\r\nHost: y' })).toThrow(TypeError);
    expect(() => createRequest(url, 'k', { protocols: [''] })).toThrow(TypeError);
  });
});
