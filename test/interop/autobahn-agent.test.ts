// The echo client's --autobahn mode against a fake Autobahn|Testsuite
// fuzzingserver (the suite itself cannot be installed here): the same URLs
// and order (getCaseCount, runCase for each case, updateReports), with a
// scripted exchange per case, served by `ws`.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { killChildren, runEchoClient } from './helpers.js';

afterAll(killChildren);

const nextMessage = (ws: WebSocket) => once(ws, 'message').then(([data, binary]) => ({ data: data as Buffer, binary: binary as boolean }));
const closeOf = (ws: WebSocket) => once(ws, 'close').then(([code]) => code as number);

it('runs every case the fuzzingserver announces, then asks it to update the reports', async () => {
  const requests: string[] = [];
  const outcomes: Record<string, unknown> = {};
  const cases: Record<string, (ws: WebSocket) => Promise<unknown>> = {
    // 1.1.x-like: a text message comes back as text.
    async 1(ws) {
      ws.send('Hello, Autobahn');
      const echo = await nextMessage(ws);
      ws.close(1000);
      return { echo: echo.data.toString(), binary: echo.binary, close: await closeOf(ws) };
    },
    // 5.x-like: a fragmented binary message with a ping between the fragments.
    async 2(ws) {
      const pong = once(ws, 'pong');
      ws.send(Buffer.from([1]), { binary: true, fin: false });
      ws.ping('between');
      ws.send(Buffer.from([2, 3]), { binary: true, fin: true });
      const [echo, [pongData]] = await Promise.all([nextMessage(ws), pong]);
      ws.close(1000);
      return { echo: [...echo.data], binary: echo.binary, pong: String(pongData), close: await closeOf(ws) };
    },
    // 6.x-like: invalid UTF-8, which the client must fail with 1007.
    async 3(ws) {
      ws.send(Buffer.from([0xce, 0xba, 0xe1, 0xbd]), { binary: false, fin: true });
      return { close: await closeOf(ws) };
    },
  };

  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(server, 'listening');
  server.on('connection', (ws, request) => {
    requests.push(request.url!);
    const url = new URL(request.url!, 'ws://fuzzingserver');
    if (url.pathname === '/getCaseCount') {
      ws.send(String(Object.keys(cases).length));
      ws.close(1000);
    } else if (url.pathname === '/runCase') {
      const id = url.searchParams.get('case')!;
      void cases[id]!(ws).then((outcome) => (outcomes[id] = outcome));
    } else {
      ws.close(1000);
    }
  });

  const base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const result = await runEchoClient(['--autobahn', base, '--agent', 'hybi test']);
  server.close();

  expect(requests).toEqual(['/getCaseCount', '/runCase?case=1&agent=hybi%20test', '/runCase?case=2&agent=hybi%20test', '/runCase?case=3&agent=hybi%20test', '/updateReports?agent=hybi%20test']);
  expect(outcomes).toEqual({
    1: { echo: 'Hello, Autobahn', binary: false, close: 1000 },
    2: { echo: [1, 2, 3], binary: true, pong: 'between', close: 1000 },
    3: { close: 1007 },
  });
  expect(result.stdout.trim().split('\n')).toEqual([
    'case 1/3: closed 1000',
    'case 2/3: closed 1000',
    expect.stringMatching(/^case 3\/3: failed the connection with 1007: /),
    'reports updated for agent hybi test',
  ]);
  expect(result).toMatchObject({ code: 0, stderr: '' }); // the fuzzingserver judges the cases, not the exit code
});

it('exits 1 when there is no fuzzingserver', async () => {
  const result = await runEchoClient(['--autobahn', 'ws://127.0.0.1:1', '--agent', 'hybi']);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('ECONNREFUSED');
});
