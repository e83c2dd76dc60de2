// The README's runtime snippets (examples/runtimes/*): each must appear in
// README.md verbatim, and each is run: the Deno and Bun echo servers on
// loopback against a real `ws` client from Node, the browser page in Chromium
// decoding captured frames. Every function returns results and never throws.
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import WebSocket from 'ws';
import { killGroup, start, waitForLine } from './processes.mjs';

const FENCE_LANGUAGES = { '.ts': 'ts', '.js': 'js', '.mjs': 'js', '.html': 'html' };

/** One result per file of examples/runtimes: README.md shows it verbatim in a fenced block. */
export function readmeShowsSnippets(root) {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const dir = join(root, 'examples', 'runtimes');
  return readdirSync(dir)
    .sort()
    .map((file) => {
      const content = readFileSync(join(dir, file), 'utf8');
      const block = `\`\`\`${FENCE_LANGUAGES[extname(file)] ?? ''}\n${content}${content.endsWith('\n') ? '' : '\n'}\`\`\`\n`;
      const ok = readme.includes(block);
      return { name: `README.md shows examples/runtimes/${file} verbatim`, ok, details: ok ? [] : [`README.md has no fenced block equal to examples/runtimes/${file}: copy the file into the "Runtimes" section`] };
    });
}

/** A `ws` client talks to an echo server: text, a fragmented text split inside a code point, a large binary, ping, a message sent with the close. */
async function echoConversation(url) {
  const ws = new WebSocket(url);
  const queue = [];
  let wake = () => {};
  const push = (item) => {
    queue.push(item);
    wake();
  };
  ws.on('message', (data, isBinary) => push(isBinary ? { binary: data } : { text: data.toString('utf8') }));
  ws.on('pong', (data) => push({ pong: data.toString('utf8') }));
  ws.on('close', (code) => push({ close: code }));
  ws.on('error', (error) => push({ error: error.message }));
  const next = async (step) => {
    const deadline = Date.now() + 10_000;
    while (queue.length === 0) {
      if (Date.now() > deadline) throw new Error(`${step}: nothing arrived within 10 s`);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, 250);
        wake = () => resolve(clearTimeout(timer));
      });
    }
    return queue.shift();
  };
  const expect = async (step, expected) => {
    const got = await next(step);
    const same = JSON.stringify(got) === JSON.stringify(expected) || (expected.binary && got.binary && Buffer.compare(got.binary, expected.binary) === 0);
    if (!same) throw new Error(`${step}: expected ${JSON.stringify(expected).slice(0, 200)}, got ${JSON.stringify(got).slice(0, 200)}`);
  };
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no 101 within 10 s')), 10_000);
      ws.once('open', () => resolve(clearTimeout(timer)));
      ws.once('error', (error) => reject(error, clearTimeout(timer)));
    });
    ws.send('hello, \u00FCnicode \u{1F600}');
    await expect('text echo', { text: 'hello, \u00FCnicode \u{1F600}' });
    ws.send(Buffer.from([0x61, 0xf0, 0x9f]), { binary: false, fin: false });
    ws.send(Buffer.from([0x98, 0x80, 0x62]), { binary: false, fin: true });
    await expect('fragmented text split inside U+1F600', { text: 'a\u{1F600}b' });
    const large = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) & 0xff));
    ws.send(large);
    await expect('300 kB binary echo (64-bit length, many reads and writes)', { binary: large });
    ws.ping('are you there?');
    await expect('pong', { pong: 'are you there?' });
    // A last message and the Close written together: the server echoes the message before answering the Close.
    ws.send('last words');
    ws.close(1000, 'done');
    await expect('the echo of a message sent along with the Close', { text: 'last words' });
    // The server echoes the code (no reason) and closes the TCP connection: only then does ws emit close.
    await expect('close handshake, then the server closes the TCP connection', { close: 1000 });
    return [];
  } catch (error) {
    ws.terminate();
    return [error.message];
  }
}

/** Starts an echo snippet, waits for its "listening on ws://..." line, runs the conversation, stops it. */
export async function echoSnippet(name, command, args, { cwd, env }) {
  const started = Date.now();
  const child = start(command, args, { cwd, env });
  let details;
  try {
    const [, url] = await waitForLine(child, /listening on (ws:\/\/127\.0\.0\.1:\d+\/)/, 20_000);
    details = await echoConversation(url);
  } catch (error) {
    details = [error.message];
  } finally {
    killGroup(child);
  }
  await child.exited;
  // Anything the server printed besides its banner is an error report.
  const stderr = child.output.stderr.trim();
  if (stderr) details.push(`${name} wrote to stderr:\n${stderr.slice(0, 2000)}`);
  if (details.length > 0 && child.output.stdout) details.push(`stdout:\n${child.output.stdout.slice(0, 1000)}`);
  return { name: `${name} echoes to a ws client over loopback TCP`, ok: details.length === 0, details, milliseconds: Date.now() - started };
}

// Captures for the browser page: RFC 6455 5.7's example frames, a masked
// Close, and frames the page must refuse.
const CAPTURES = [
  {
    label: 'client frames (masked): text, Pong, Close',
    fromClient: true,
    hex: '81 85 37 fa 21 3d 7f 9f 4d 51 58  8a 85 37 fa 21 3d 7f 9f 4d 51 58  88 85 37 fa 21 3d 34 12 43 44 52',
    expected: [/^text: Hello$/, /^pong: 48 65 6c 6c 6f$/, /^close: 1000 bye$/],
  },
  {
    label: 'server frames (unmasked): fragmented text, Ping, binary, an unfinished frame',
    fromClient: false,
    hex: '01 03 48 65 6c 80 02 6c 6f  89 05 48 65 6c 6c 6f  82 03 01 02 03  81 05 48 65',
    expected: [/^text: Hello$/, /^ping: 48 65 6c 6c 6f$/, /^binary: 01 02 03$/, /^then \d+ bytes of an unfinished frame or message$/],
  },
  {
    label: 'an unmasked frame said to come from a client',
    fromClient: true,
    hex: '81 02 68 69',
    expected: [/^protocol error 1002: /],
  },
];

/** The browser snippet in a Chromium page: decodes each capture. */
export async function browserSnippet(context, origin) {
  const started = Date.now();
  const details = [];
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && errors.push(`console error: ${message.text()}`));
  try {
    await page.goto(`${origin}/examples/runtimes/browser-decode.html`);
    // The click handler writes the output synchronously; an exception leaves it empty (and is a page error).
    for (const capture of CAPTURES) {
      await page.fill('#hex', capture.hex);
      await page.setChecked('#from-client', capture.fromClient);
      await page.evaluate(() => (document.querySelector('#output').textContent = ''));
      await page.click('#decode');
      await page.waitForFunction(() => document.querySelector('#output').textContent !== '', null, { timeout: 2_000 }).catch(() => {});
      const lines = (await page.textContent('#output')).split('\n').filter(Boolean);
      const ok = lines.length === capture.expected.length && capture.expected.every((pattern, i) => pattern.test(lines[i]));
      if (!ok) details.push(`${capture.label}: expected ${capture.expected.map(String).join(', ')}\n      got ${JSON.stringify(lines)}`);
    }
  } catch (error) {
    details.push(error.message);
  } finally {
    await page.close().catch(() => {});
  }
  details.push(...errors);
  return { name: 'browser-decode.html decodes captured frames in Chromium', ok: details.length === 0, details, milliseconds: Date.now() - started };
}
