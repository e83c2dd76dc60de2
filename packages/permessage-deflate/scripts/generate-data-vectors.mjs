// Regenerates test-vectors/permessage-deflate/{inflate,deflate}.json: node scripts/generate-data-vectors.mjs
// Vector generator: RFC 7692 7.2.3 bytes typed from the RFC; everything else
// compressed with Node's own zlib (an independent reference, not hybi).
import zlib from 'node:zlib';
import { writeFileSync } from 'node:fs';
const hex = (b) => Buffer.from(b).toString('hex').replace(/(..)(?!$)/g, '$1 ');
const SYNC = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
const strip = (b) => { if (!b.subarray(-4).equals(Buffer.from([0, 0, 0xff, 0xff]))) throw new Error('no tail'); return b.subarray(0, -4); };
const inflate = [];
const iv = (name, reference, setup, inputHex, expect, extra = {}) => inflate.push({ name, reference, ...extra, setup: { operation: 'inflate', ...setup }, inputHex, expect });
const msg = (text) => ({ type: 'message', dataText: text });
const TOO_BIG = { type: 'message-too-big', closeCode: 1009 };
const INVALID = { type: 'invalid-compressed-data', closeCode: 1007 };
const TOO_MANY_FINALS = { type: 'too-many-final-blocks', closeCode: 1008 };

iv('7.2.3.1 "Hello" in one compressed block', 'RFC 7692 section 7.2.3.1', {}, 'f2 48 cd c9 c9 07 00', [msg('Hello')]);
iv('7.2.3.2 second "Hello" refers to the first (context takeover)', 'RFC 7692 section 7.2.3.2', { beforeHex: ['f2 48 cd c9 c9 07 00'] }, 'f2 00 11 00 00', [msg('Hello'), msg('Hello')]);
iv('7.2.3.2 without context takeover both messages are the same', 'RFC 7692 section 7.2.3.2', { noContextTakeover: true, beforeHex: ['f2 48 cd c9 c9 07 00'] }, 'f2 48 cd c9 c9 07 00', [msg('Hello'), msg('Hello')]);
iv('7.2.3.2 a reference into the previous message fails without context takeover', 'RFC 7692 section 7.2.2', { noContextTakeover: true, beforeHex: ['f2 48 cd c9 c9 07 00'] }, 'f2 00 11 00 00', [msg('Hello'), INVALID],
  { description: 'With no context takeover the receiver MAY start each message with an empty window; hybi does, so the back-reference points before the start of the data.' });
iv('a back-reference before the start of the first message', 'RFC 1951 section 3.2.3', {}, 'f2 00 11 00 00', [INVALID]);
iv('7.2.3.3 DEFLATE block with no compression', 'RFC 7692 section 7.2.3.3', {}, '00 05 00 fa ff 48 65 6c 6c 6f 00', [msg('Hello')]);
iv('7.2.3.4 DEFLATE block with BFINAL set', 'RFC 7692 section 7.2.3.4', {}, 'f3 48 cd c9 c9 07 00 00', [msg('Hello')]);
iv('7.2.3.4 the window survives a BFINAL block (context takeover)', 'RFC 7692 section 7.2.2', { beforeHex: ['f3 48 cd c9 c9 07 00 00'] }, 'f2 00 11 00 00', [msg('Hello'), msg('Hello')],
  { description: 'After a block with BFINAL the next message still decompresses with the same window.' });
iv('7.2.3.5 two DEFLATE blocks in one message', 'RFC 7692 section 7.2.3.5', {}, 'f2 48 05 00 00 00 ff ff ca c9 c9 07 00', [msg('Hello')], { chunking: { splits: [[4], [8], [4, 8]] } });
iv('7.2.3.6 empty message: an empty stored block', 'RFC 7692 section 7.2.3.6', {}, '00', [msg('')]);
iv('empty message in a final empty stored block', 'RFC 7692 section 7.2.1', {}, '01', [msg('')]);
iv('RSV1 with an empty payload is an empty message', 'RFC 7692 section 7.2.2', { beforeHex: ['f2 48 cd c9 c9 07 00'] }, '', [msg('Hello'), msg('')],
  { description: 'No DEFLATE data at all: hybi reads the empty message without touching the window (appending the tail alone would leave a stored block open).' });
{
  // A BFINAL block followed by a further block in the same message.
  const a = zlib.deflateRawSync(Buffer.from('Hel')); // BFINAL
  const b = strip(zlib.deflateRawSync(Buffer.from('lo'), SYNC));
  iv('a BFINAL block followed by another block in the same message', 'RFC 7692 section 7.2.1', {}, hex(Buffer.concat([a, b])), [msg('Hello')],
    { description: '"The next DEFLATE block follows the padded data if any."' });
}
iv('"Hello World!" compressed by zlib', 'RFC 7692 section 7.2.1', {}, hex(strip(zlib.deflateRawSync(Buffer.from('Hello World!'), SYNC))), [msg('Hello World!')]);
{
  // One message sent in three fragments, the sender sync-flushing after each.
  const d = zlib.createDeflateRaw();
  let pending = [];
  d.on('data', (c) => pending.push(c));
  const pieces = [];
  for (const t of ['Hello ', 'World', '!']) {
    d.write(Buffer.from(t));
    await new Promise((r) => d.flush(zlib.constants.Z_SYNC_FLUSH, r));
    pieces.push(Buffer.concat(pending));
    pending = [];
  }
  pieces[2] = strip(pieces[2]);
  const splits = [[pieces[0].length], [pieces[0].length + pieces[1].length], [pieces[0].length, pieces[0].length + pieces[1].length]];
  iv('one message in three sync-flushed fragments', 'RFC 7692 section 7.2.3.5', {}, hex(Buffer.concat(pieces)), [msg('Hello World!')], { chunking: { splits } });
}
{
  // RFC 7692 7.2.3.4: a sender may flush with BFINAL blocks; each one restarts the receiver's inflater, so a
  // message may hold at most maxFinalBlocks of them (default 16).
  const finals = (n) => '03 00 '.repeat(n) + '00';
  const finalsNote = { description: 'Empty fixed-Huffman blocks with BFINAL set (03 00), then the header octet of an empty stored block whose LEN and NLEN are the appended tail.' };
  iv('16 empty blocks with BFINAL set in one message: the default maxFinalBlocks', 'RFC 7692 section 7.2.3.4', {}, finals(16), [msg('')], finalsNote);
  iv('17 empty blocks with BFINAL set: one past the default maxFinalBlocks fails with 1008', 'RFC 6455 section 7.4.1', {}, finals(17), [TOO_MANY_FINALS], finalsNote);
  iv('1000 empty blocks with BFINAL set in 2001 octets fail with 1008', 'RFC 6455 section 7.4.1', {}, finals(1000), [TOO_MANY_FINALS],
    { description: 'Valid DEFLATE that inflates to nothing and fits the size limit; without a bound each block would cost a restart of the inflater.' });
  iv('maxFinalBlocks counts each message afresh', 'RFC 7692 section 7.2.3.4', { beforeHex: [finals(16)] }, finals(16), [msg(''), msg('')]);
  iv('maxFinalBlocks 1: the 7.2.3.4 example passes', 'RFC 7692 section 7.2.3.4', { maxFinalBlocks: 1 }, 'f3 48 cd c9 c9 07 00 00', [msg('Hello')]);
  iv('maxFinalBlocks 0: the 7.2.3.4 example fails with 1008', 'RFC 6455 section 7.4.1', { maxFinalBlocks: 0 }, 'f3 48 cd c9 c9 07 00 00', [TOO_MANY_FINALS]);
  // Several finished zlib streams in one message: fixed and dynamic blocks after restarts, and references
  // across a BFINAL block into the window (the next stream compressed with the earlier text as dictionary).
  const parts = ['Hel', 'lo, ', JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ id: i, name: `user${i % 7}` })))];
  let seen = '';
  const streams = parts.map((part) => {
    const stream = zlib.deflateRawSync(Buffer.from(part), seen ? { dictionary: Buffer.from(seen) } : {});
    seen += part;
    return stream;
  });
  streams.push(zlib.deflateRawSync(Buffer.from(seen), { dictionary: Buffer.from(seen) }));
  iv('four finished zlib streams in one message, each referring to the text before it', 'RFC 7692 section 7.2.3.4', {}, hex(Buffer.concat([...streams, Buffer.of(0)])), [msg(seen + seen)],
    { description: 'BFINAL blocks with fixed and dynamic Huffman codes; the window survives each restart.' });
}
iv('truncated: the message ends inside a block', 'RFC 7692 section 7.2.1', {}, 'f2 48 cd c9 c9 07', [INVALID]);
iv('truncated: BFINAL block without the trailing empty block header', 'RFC 7692 section 7.2.1', {}, 'f3 48 cd c9 c9 07 00', [INVALID]);
iv('reserved block type', 'RFC 1951 section 3.2.3', {}, 'ff 00', [INVALID]);
iv('stored block with LEN and NLEN that do not match', 'RFC 1951 section 3.2.4', {}, '00 05 00 00 00 48 65 6c 6c 6f 00', [INVALID]);
iv('a truncated earlier message fails the connection', 'RFC 7692 section 7.2.1', { beforeHex: ['f2 48 cd c9 c9 07'] }, 'f2 00 11 00 00', [INVALID]);
{
  const tens = hex(strip(zlib.deflateRawSync(Buffer.from('aaaaaaaaaa'), SYNC)));
  iv('inflated size at the limit', 'RFC 7692 section 7.2.2', { maxMessageBytes: 10 }, tens, [msg('aaaaaaaaaa')]);
  iv('inflated size one past the limit', 'RFC 6455 section 7.4.1', { maxMessageBytes: 9 }, tens, [TOO_BIG]);
}
iv('compressed size at the limit', 'RFC 7692 section 7.2.2', { maxMessageBytes: 7 }, 'f2 48 cd c9 c9 07 00', [msg('Hello')]);
iv('compressed size past the limit, inflated size within it', 'RFC 6455 section 7.4.1', { maxMessageBytes: 10 }, '00 05 00 fa ff 48 65 6c 6c 6f 00', [TOO_BIG],
  { description: 'The limit bounds the message as received as well as inflated (as ws does).' });
{
  const bomb = strip(zlib.deflateRawSync(Buffer.alloc(1 << 20), { ...SYNC, level: 9 }));
  iv('zip bomb: 1 MiB of zeros against a 64 KiB limit', 'RFC 6455 section 7.4.1', { maxMessageBytes: 65536 }, hex(bomb), [TOO_BIG],
    { description: `1 MiB of zeros deflated by zlib to ${bomb.length} octets.` });
  const small = strip(zlib.deflateRawSync(Buffer.alloc(4096), { ...SYNC, level: 9 }));
  iv('4 KiB of zeros exactly at a 4 KiB limit', 'RFC 7692 section 7.2.2', { maxMessageBytes: 4096 }, hex(small), [{ type: 'message', dataHex: '00'.repeat(4096) }]);
  iv('4 KiB of zeros one past a 4095-octet limit', 'RFC 6455 section 7.4.1', { maxMessageBytes: 4095 }, hex(small), [TOO_BIG]);
}
{
  // Window bits: a message with references up to 250 octets back, within an 8-bit window.
  const text = Array.from({ length: 40 }, (_, i) => `item-${(i * 37) % 23}-${'abcdefgh'.slice(0, i % 8)};`).join('');
  const data = strip(zlib.deflateRawSync(Buffer.from(text), { ...SYNC, windowBits: 8 }));
  iv('8-bit window: zlib output decodes within 256 octets', 'RFC 7692 section 7.1.2.1', { windowBits: 8 }, hex(data), [msg(text)]);
  const big = Array.from({ length: 300 }, (_, i) => `{"id":${i},"name":"user${i % 50}","ok":${i % 3 === 0}}`).join(',');
  const c1 = strip(zlib.deflateRawSync(Buffer.from(big), { ...SYNC, windowBits: 15 }));
  iv('JSON text, 15-bit window', 'RFC 7692 section 7.2.2', {}, hex(c1), [msg(big)]);
}
{
  // Context takeover over three JSON messages, compressed by one zlib stream.
  const d = zlib.createDeflateRaw({ windowBits: 15 });
  const texts = ['{"op":"join","room":"lobby","user":"alice"}', '{"op":"join","room":"lobby","user":"bob"}', '{"op":"join","room":"lobby","user":"carol"}'];
  const outs = [];
  let pending = [];
  d.on('data', (c) => pending.push(c));
  for (const t of texts) {
    d.write(Buffer.from(t));
    await new Promise((r) => d.flush(zlib.constants.Z_SYNC_FLUSH, r));
    outs.push(strip(Buffer.concat(pending)));
    pending = [];
  }
  iv('three JSON messages sharing one window', 'RFC 7692 section 7.2.2', { beforeHex: outs.slice(0, 2).map(hex) }, hex(outs[2]), texts.map(msg));
  iv('the same messages with a 9-bit receiving window', 'RFC 7692 section 7.2.2', { windowBits: 9, beforeHex: outs.slice(0, 2).map(hex) }, hex(outs[2]), texts.map(msg),
    { description: 'The back-references stay within 512 octets, so a 9-bit inflater decodes them.' });
}

const deflate = [];
const dv = (name, reference, setup, inputText, expect, extra = {}) => deflate.push({ name, reference, ...extra, setup: { operation: 'deflate', ...setup }, inputText, chunking: { wholeOnly: true }, expect });
const comp = (h) => ({ type: 'compressed', dataHex: h });
dv('7.2.3.1 "Hello"', 'RFC 7692 section 7.2.3.1', {}, 'Hello', [comp('f2 48 cd c9 c9 07 00')]);
dv('7.2.3.2 "Hello" twice with context takeover', 'RFC 7692 section 7.2.3.2', { beforeText: ['Hello'] }, 'Hello', [comp('f2 48 cd c9 c9 07 00'), comp('f2 00 11 00 00')]);
dv('7.2.3.2 "Hello" twice without context takeover', 'RFC 7692 section 7.2.3.2', { noContextTakeover: true, beforeText: ['Hello'] }, 'Hello', [comp('f2 48 cd c9 c9 07 00'), comp('f2 48 cd c9 c9 07 00')]);
dv('7.2.3.3 "Hello" at level 0: a stored block', 'RFC 7692 section 7.2.3.3', { level: 0 }, 'Hello', [comp('00 05 00 fa ff 48 65 6c 6c 6f 00')]);
dv('7.2.3.6 the empty message', 'RFC 7692 section 7.2.3.6', {}, '', [comp('00')]);
dv('the empty message after a compressed one (context takeover)', 'RFC 7692 section 7.2.3.6', { beforeText: ['Hello'] }, '', [comp('f2 48 cd c9 c9 07 00'), comp('00')]);
{
  const big = Array.from({ length: 300 }, (_, i) => `{"id":${i},"name":"user${i % 50}","ok":${i % 3 === 0}}`).join(',');
  dv('JSON text as zlib level 6 compresses it', 'RFC 7692 section 7.2.1', {}, big, [comp(hex(strip(zlib.deflateRawSync(Buffer.from(big), SYNC))))],
    { description: 'Node\'s zlib (level 6, memLevel 8, 15-bit window) gives these bytes; so does pako 3.' });
}

const doc = (description, references, vectors) => ({ suite: 'permessage-deflate', description, references, vectors });
const out = (name) => new URL(`../../../test-vectors/permessage-deflate/${name}`, import.meta.url);
writeFileSync(out('inflate.json'), JSON.stringify(doc('Decompressing messages (RFC 7692 section 7.2.2), bounded by the message limit; compressed payloads as they arrive after the frame layer removed the framing', ['RFC 7692 section 7.2', 'RFC 1951'], inflate), null, 2) + '\n');
writeFileSync(out('deflate.json'), JSON.stringify(doc('Compressing messages (RFC 7692 section 7.2.1) where zlib at default settings gives well-known bytes', ['RFC 7692 section 7.2.1', 'RFC 7692 section 7.2.3'], deflate), null, 2) + '\n');
console.log(inflate.length, deflate.length);
