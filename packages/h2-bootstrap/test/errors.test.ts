import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

describe('error codes', () => {
  it('RFC 9113 7: PROTOCOL_ERROR 0x1, FRAME_SIZE_ERROR 0x6, CANCEL 0x8', () => {
    expect([api.PROTOCOL_ERROR, api.FRAME_SIZE_ERROR, api.CANCEL]).toEqual([0x1, 0x6, 0x8]);
  });
  it('RFC 9114 8.1: H3_FRAME_UNEXPECTED 0x0105, H3_FRAME_ERROR 0x0106, H3_SETTINGS_ERROR 0x0109, H3_REQUEST_CANCELLED 0x010c, H3_MESSAGE_ERROR 0x010e', () => {
    expect([api.H3_FRAME_UNEXPECTED, api.H3_FRAME_ERROR, api.H3_SETTINGS_ERROR, api.H3_REQUEST_CANCELLED, api.H3_MESSAGE_ERROR]).toEqual([0x105, 0x106, 0x109, 0x10c, 0x10e]);
  });
  it('RFC 8441 3 / RFC 9220 3: SETTINGS_ENABLE_CONNECT_PROTOCOL is 0x8 in both', () => {
    expect(api.SETTINGS_ENABLE_CONNECT_PROTOCOL).toBe(0x8);
  });
  it('events carry the code that goes with their name', () => {
    expect(api.abortStream('h2').code).toBe(api.CANCEL);
    expect(api.abortStream('h3').code).toBe(api.H3_REQUEST_CANCELLED);
  });
  it('exports exactly the public API', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'ABNORMAL_CLOSURE', 'CANCEL', 'END_STREAM', 'FRAME_SIZE_ERROR', 'H3_FRAME_ERROR', 'H3_FRAME_UNEXPECTED', 'H3_MESSAGE_ERROR', 'H3_REQUEST_CANCELLED', 'H3_SETTINGS_ERROR',
        'PROTOCOL_ERROR', 'PeerSettings', 'SETTINGS_ENABLE_CONNECT_PROTOCOL', 'abortStream', 'acceptRequest', 'buildRequest', 'decodeSettings', 'decodeVarint', 'encodeSettings',
        'encodeVarint', 'parseRequest', 'parseResponse', 'peerReset', 'rejectRequest',
      ].sort(),
    );
  });
});
