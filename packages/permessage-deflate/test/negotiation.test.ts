import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acceptServerResponse,
  createClientOffer,
  formatExtensionList,
  negotiateServer,
  parseExtensionList,
  type ClientNegotiationOptions,
  type Extension,
  type ServerNegotiationOptions,
  type WindowBits,
} from '../src/index.js';

function offers(...values: string[]): Extension[] {
  const parsed = parseExtensionList(values);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

function server(value: string, options?: ServerNegotiationOptions) {
  return negotiateServer(offers(value), options);
}

function responseOf(value: string, options?: ServerNegotiationOptions): string | null {
  const result = server(value, options);
  return result.type === 'accepted' ? formatExtensionList([result.response]) : null;
}

function client(response: string, options?: ClientNegotiationOptions) {
  return acceptServerResponse(response === '' ? [] : offers(response), options);
}

const windowBits = fc.integer({ min: 8, max: 15 }).map((n) => n as WindowBits);

describe('RFC 7692 7 declining offers and failing responses', () => {
  it('declines offers with unknown, duplicate or invalid parameters, reporting each', () => {
    const result = negotiateServer(
      offers('permessage-deflate; foo', 'permessage-deflate; server_no_context_takeover; server_no_context_takeover', 'permessage-deflate; client_max_window_bits=7'),
    );
    expect(result).toMatchObject({
      type: 'declined',
      reasons: [
        { offerIndex: 0, problem: 'unknown-parameter', parameter: 'foo' },
        { offerIndex: 1, problem: 'duplicate-parameter', parameter: 'server_no_context_takeover' },
        { offerIndex: 2, problem: 'invalid-value', parameter: 'client_max_window_bits' },
      ],
    });
    if (result.type === 'declined') for (const reason of result.reasons) expect(reason.message.length).toBeGreaterThan(10);
  });

  it('reports the first problem of an element in parameter order', () => {
    expect(server('permessage-deflate; server_max_window_bits=99; foo')).toMatchObject({ reasons: [{ problem: 'invalid-value' }] });
    expect(server('permessage-deflate; foo; server_max_window_bits=99')).toMatchObject({ reasons: [{ problem: 'unknown-parameter' }] });
  });

  it('any duplicated parameter declines the offer, whatever the values', () => {
    const names = ['server_no_context_takeover', 'client_no_context_takeover', 'server_max_window_bits', 'client_max_window_bits'];
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.option(windowBits, { nil: undefined }), fc.option(windowBits, { nil: undefined }), (name, a, b) => {
        const p = (v: number | undefined) => (v === undefined ? name : `${name}=${v}`);
        const result = server(`permessage-deflate; ${p(a)}; ${p(b)}`);
        expect(result.type).toBe('declined');
        if (result.type === 'declined') expect(['duplicate-parameter', 'invalid-value']).toContain(result.reasons[0]!.problem);
      }),
    );
  });

  it('accepts exactly the window values 8 to 15 written without leading zeros', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -5, max: 40 }).map(String), fc.stringMatching(/^[0-9a-z.]{1,4}$/)), (value) => {
        const valid = /^(8|9|1[0-5])$/.test(value);
        expect(server(`permessage-deflate; server_max_window_bits=${value}`).type).toBe(valid ? 'accepted' : 'declined');
        expect(server(`permessage-deflate; client_max_window_bits=${value}`).type).toBe(valid ? 'accepted' : 'declined');
        const failed = client(`permessage-deflate; server_max_window_bits=${value}`).type === 'fail';
        expect(failed).toBe(!valid);
      }),
    );
  });

  it('fails a response with an unknown parameter, a duplicate or a bad value', () => {
    expect(client('permessage-deflate; x')).toMatchObject({ type: 'fail', problem: 'unknown-parameter', parameter: 'x' });
    expect(client('permessage-deflate; client_no_context_takeover; client_no_context_takeover')).toMatchObject({ type: 'fail', problem: 'duplicate-parameter' });
    expect(client('permessage-deflate; client_no_context_takeover=1')).toMatchObject({ type: 'fail', problem: 'invalid-value' });
  });

  it('fails a response that accepts permessage-deflate twice', () => {
    expect(client('permessage-deflate, permessage-deflate; server_no_context_takeover')).toMatchObject({ type: 'fail', problem: 'multiple-responses', parameter: null });
  });

  it('treats a response without the extension as declined', () => {
    expect(client('')).toEqual({ type: 'declined' });
    expect(client('x-other; a=1')).toEqual({ type: 'declined' });
  });
});

describe('RFC 7692 5 offers in preference order', () => {
  it('accepts the first acceptable offer and skips other extensions', () => {
    const result = negotiateServer(offers('x-webkit-deflate-frame', 'permessage-deflate; bogus, permessage-deflate; server_max_window_bits=10, permessage-deflate'));
    expect(result).toMatchObject({ type: 'accepted', offerIndex: 2, negotiated: { compress: { windowBits: 10 } } });
  });

  it('declines with no reasons when nothing was offered', () => {
    expect(negotiateServer([])).toEqual({ type: 'declined', reasons: [] });
    expect(negotiateServer(offers('x-webkit-deflate-frame'))).toEqual({ type: 'declined', reasons: [] });
  });
});

describe('RFC 7692 7.1.1.1 server_no_context_takeover', () => {
  it('is accepted by echoing it, and the server then resets', () => {
    expect(server('permessage-deflate; server_no_context_takeover')).toMatchObject({
      response: { params: [{ name: 'server_no_context_takeover', value: null }] },
      negotiated: { compress: { noContextTakeover: true } },
    });
  });
  it('may be sent by a server that was not asked', () => {
    expect(responseOf('permessage-deflate', { serverNoContextTakeover: true })).toBe('permessage-deflate; server_no_context_takeover');
  });
  it('when requested by the client, must be in the response', () => {
    const options = { serverNoContextTakeover: true };
    expect(formatExtensionList([createClientOffer(options)])).toBe('permessage-deflate; server_no_context_takeover; client_max_window_bits');
    expect(client('permessage-deflate', options)).toMatchObject({ type: 'fail', problem: 'not-accepted', parameter: 'server_no_context_takeover' });
    expect(client('permessage-deflate; server_no_context_takeover', options)).toMatchObject({ type: 'accepted', negotiated: { decompress: { noContextTakeover: true } } });
  });
  it('is accepted by a client that did not ask', () => {
    expect(client('permessage-deflate; server_no_context_takeover')).toMatchObject({ type: 'accepted', negotiated: { decompress: { noContextTakeover: true } } });
  });
});

describe('RFC 7692 7.1.1.2 client_no_context_takeover', () => {
  it('the client hint is echoed so that the server may forget its inflate window', () => {
    expect(server('permessage-deflate; client_no_context_takeover')).toMatchObject({
      response: { params: [{ name: 'client_no_context_takeover', value: null }] },
      negotiated: { decompress: { noContextTakeover: true } },
    });
  });
  it('a server may impose it', () => {
    expect(responseOf('permessage-deflate', { clientNoContextTakeover: true })).toBe('permessage-deflate; client_no_context_takeover');
  });
  it('a client MUST support it in a response', () => {
    expect(client('permessage-deflate; client_no_context_takeover')).toMatchObject({ type: 'accepted', negotiated: { compress: { noContextTakeover: true } } });
  });
  it('the client keeps its own hint even when the response omits it', () => {
    expect(client('permessage-deflate', { clientNoContextTakeover: true })).toMatchObject({ negotiated: { compress: { noContextTakeover: true } } });
  });
});

describe('RFC 7692 7.1.2.1 server_max_window_bits', () => {
  it('requires a value in offers and responses', () => {
    expect(server('permessage-deflate; server_max_window_bits')).toMatchObject({ reasons: [{ problem: 'invalid-value' }] });
    expect(client('permessage-deflate; server_max_window_bits')).toMatchObject({ type: 'fail', problem: 'invalid-value' });
  });
  it('is answered with the same or a smaller value', () => {
    fc.assert(
      fc.property(windowBits, fc.option(windowBits, { nil: undefined }), (offered, limit) => {
        const result = server(`permessage-deflate; server_max_window_bits=${offered}`, limit === undefined ? {} : { serverMaxWindowBits: limit });
        const expected = Math.min(offered, limit ?? 15);
        expect(result).toMatchObject({ type: 'accepted', negotiated: { compress: { windowBits: expected } } });
        if (result.type === 'accepted') expect(result.response.params).toContainEqual({ name: 'server_max_window_bits', value: String(expected) });
      }),
    );
  });
  it('the server may announce it unasked, and the client accepts any valid value then', () => {
    expect(responseOf('permessage-deflate', { serverMaxWindowBits: 9 })).toBe('permessage-deflate; server_max_window_bits=9');
    expect(client('permessage-deflate; server_max_window_bits=9')).toMatchObject({ negotiated: { decompress: { windowBits: 9 } } });
  });
  it('a client that asked fails a missing or larger answer', () => {
    const options = { serverMaxWindowBits: 11 as const };
    expect(formatExtensionList([createClientOffer(options)])).toBe('permessage-deflate; server_max_window_bits=11; client_max_window_bits');
    expect(client('permessage-deflate', options)).toMatchObject({ type: 'fail', problem: 'not-accepted' });
    expect(client('permessage-deflate; server_max_window_bits=12', options)).toMatchObject({ type: 'fail', problem: 'not-accepted' });
    expect(client('permessage-deflate; server_max_window_bits=11', options)).toMatchObject({ type: 'accepted' });
    expect(client('permessage-deflate; server_max_window_bits=8', options)).toMatchObject({ negotiated: { decompress: { windowBits: 8 } } });
  });
  it('asking for 15 sends nothing: it is what absence means', () => {
    expect(formatExtensionList([createClientOffer({ serverMaxWindowBits: 15 })])).toBe('permessage-deflate; client_max_window_bits');
  });
  it('the backend decides which small windows the server can honour', () => {
    const backend = { compressWindowBits: { min: 10 as const, max: 15 as const } };
    expect(server('permessage-deflate; server_max_window_bits=9', { backend })).toMatchObject({ type: 'declined', reasons: [{ problem: 'unsupported' }] });
    expect(server('permessage-deflate; server_max_window_bits=10', { backend })).toMatchObject({ type: 'accepted' });
    expect(() => server('permessage-deflate', { backend, serverMaxWindowBits: 9 })).toThrow(RangeError);
  });
});

describe('RFC 7692 7.1.2.2 client_max_window_bits', () => {
  it('is optional-valued in offers, required-valued in responses', () => {
    expect(server('permessage-deflate; client_max_window_bits').type).toBe('accepted');
    expect(client('permessage-deflate; client_max_window_bits')).toMatchObject({ type: 'fail', problem: 'invalid-value' });
  });
  it('MUST NOT be in a response to an offer without it', () => {
    fc.assert(
      fc.property(fc.option(windowBits, { nil: undefined }), fc.boolean(), fc.boolean(), (limit, snct, cnct) => {
        const options: ServerNegotiationOptions = { serverNoContextTakeover: snct, clientNoContextTakeover: cnct, ...(limit === undefined ? {} : { serverMaxWindowBits: limit }) };
        const result = server('permessage-deflate; server_no_context_takeover', options);
        if (result.type === 'accepted') expect(result.response.params.map((p) => p.name)).not.toContain('client_max_window_bits');
      }),
    );
  });
  it('a server that must limit the client declines offers without it', () => {
    expect(server('permessage-deflate', { clientMaxWindowBits: 12 })).toMatchObject({ type: 'declined', reasons: [{ problem: 'unsupported', parameter: 'client_max_window_bits' }] });
  });
  it('the server answers the smaller of its limit and the offered value', () => {
    fc.assert(
      fc.property(fc.option(windowBits, { nil: undefined }), fc.option(windowBits, { nil: undefined }), (offered, limit) => {
        const result = server(offered === undefined ? 'permessage-deflate; client_max_window_bits' : `permessage-deflate; client_max_window_bits=${offered}`, limit === undefined ? {} : { clientMaxWindowBits: limit });
        const expected = Math.min(offered ?? 15, limit ?? 15);
        expect(result).toMatchObject({ type: 'accepted', negotiated: { decompress: { windowBits: expected } } });
        if (result.type === 'accepted') {
          const answered = result.response.params.find((p) => p.name === 'client_max_window_bits');
          expect(answered?.value ?? null).toBe(expected < 15 ? String(expected) : null);
        }
      }),
    );
  });
  it('the client offers it by default, with its own limit as value', () => {
    expect(formatExtensionList([createClientOffer()])).toBe('permessage-deflate; client_max_window_bits');
    expect(formatExtensionList([createClientOffer({ clientMaxWindowBits: 10 })])).toBe('permessage-deflate; client_max_window_bits=10');
    expect(client('permessage-deflate', { clientMaxWindowBits: 10 })).toMatchObject({ negotiated: { compress: { windowBits: 10 } } });
  });
  it('a backend that cannot compress within 8 bits does not offer it, and fails a response that has it', () => {
    const backend = { compressWindowBits: { min: 9 as const, max: 15 as const } };
    expect(formatExtensionList([createClientOffer({ backend })])).toBe('permessage-deflate');
    expect(client('permessage-deflate; client_max_window_bits=9', { backend })).toMatchObject({ type: 'fail', problem: 'not-offered' });
    expect(() => createClientOffer({ backend, clientMaxWindowBits: 8 })).toThrow(RangeError);
  });
  it('a backend whose largest window is below 15 offers that as the client limit', () => {
    const backend = { compressWindowBits: { min: 8 as const, max: 12 as const } };
    expect(formatExtensionList([createClientOffer({ backend })])).toBe('permessage-deflate; client_max_window_bits=12');
  });
});

describe('RFC 7692 7.1 offer, response and agreement end to end', () => {
  const clientOptions = fc.record(
    {
      serverMaxWindowBits: windowBits,
      clientMaxWindowBits: windowBits,
      serverNoContextTakeover: fc.boolean(),
      clientNoContextTakeover: fc.boolean(),
    },
    { requiredKeys: [] },
  );
  const serverOptions = fc.record(
    {
      serverMaxWindowBits: windowBits,
      clientMaxWindowBits: windowBits,
      serverNoContextTakeover: fc.boolean(),
      clientNoContextTakeover: fc.boolean(),
    },
    { requiredKeys: [] },
  );

  it('whatever both sides want, an accepted offer gives a response the client accepts, and both agree', () => {
    fc.assert(
      fc.property(clientOptions, serverOptions, (c, s) => {
        const offerText = formatExtensionList([createClientOffer(c)]);
        const result = negotiateServer(offers(offerText), s);
        // This client always offers client_max_window_bits and the backend
        // honours every window, so nothing is left to decline.
        expect(result.type).toBe('accepted');
        if (result.type !== 'accepted') return;
        const answer = acceptServerResponse(offers(formatExtensionList([result.response])), c);
        expect(answer.type).toBe('accepted');
        if (answer.type !== 'accepted') return;
        // What one side compresses, the other decompresses, with a window no larger.
        expect(answer.negotiated.compress.windowBits).toBeLessThanOrEqual(result.negotiated.decompress.windowBits);
        expect(answer.negotiated.decompress).toEqual(result.negotiated.compress);
        // A reset either side asked for is in force.
        if (c.serverNoContextTakeover || s.serverNoContextTakeover) expect(result.negotiated.compress.noContextTakeover).toBe(true);
        if (c.clientNoContextTakeover || s.clientNoContextTakeover) expect(answer.negotiated.compress.noContextTakeover).toBe(true);
        // Every window limit either side set holds.
        expect(result.negotiated.compress.windowBits).toBeLessThanOrEqual(Math.min(c.serverMaxWindowBits ?? 15, s.serverMaxWindowBits ?? 15));
        expect(answer.negotiated.compress.windowBits).toBeLessThanOrEqual(Math.min(c.clientMaxWindowBits ?? 15, s.clientMaxWindowBits ?? 15));
      }),
      { numRuns: 500 },
    );
  });
});

describe('local misuse', () => {
  it('rejects bad option values with RangeError or TypeError', () => {
    expect(() => negotiateServer([], { serverMaxWindowBits: 16 as WindowBits })).toThrow(RangeError);
    expect(() => negotiateServer([], { clientMaxWindowBits: 7 as WindowBits })).toThrow(RangeError);
    expect(() => negotiateServer([], { serverNoContextTakeover: 'yes' as unknown as boolean })).toThrow(TypeError);
    expect(() => createClientOffer({ serverMaxWindowBits: 9.5 as WindowBits })).toThrow(RangeError);
    expect(() => acceptServerResponse([], { clientNoContextTakeover: 1 as unknown as boolean })).toThrow(TypeError);
    expect(() => negotiateServer([], { backend: { compressWindowBits: { min: 12, max: 10 } } })).toThrow(RangeError);
  });
});
