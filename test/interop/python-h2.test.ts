// Debian's python3-h2 with python3-wsproto as the independent RFC 8441 peer:
// a client against the echo server (h2c), and a server for the echo client's
// --h2 mode. The scripts are in ./peers; they print OK lines and exit 0 when
// every check passed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EchoServer, killChildren, runEchoClient, runToEnd, startChild, startEchoServer } from './helpers.js';

const python = '/usr/bin/python3'; // Debian's, with the apt packages (a python3 earlier on PATH may lack them)
const peers = 'test/interop/peers';

afterAll(killChildren);

it('has h2 and wsproto (installed by scripts/run.mjs from apt)', async () => {
  const result = await runToEnd(python, ['-c', 'import h2, wsproto; print(h2.__version__, wsproto.__version__)']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
});

describe('h2 + wsproto client -> echo server (h2c)', () => {
  let server: EchoServer;
  beforeAll(async () => {
    server = await startEchoServer();
  });

  it('opens with extended CONNECT, echoes, answers ping and close, ends the stream', async () => {
    const result = await runToEnd(python, [`${peers}/h2_ws_client.py`, '127.0.0.1', String(server.port), '/python?x=1']);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n').filter((line) => line.startsWith('OK'))).toHaveLength(5);
    expect(result.code).toBe(0);
    await server.waitFor(/\[(\d+)\] open HTTP\/2 extended CONNECT \/python \(chat\)\n(?:.*\n)*?\[\1\] closed 4000 "done" clean/);
  });
});

describe('echo client --h2 -> h2 + wsproto server (h2c)', () => {
  it('opens with extended CONNECT, echoes, and answers the close (exit 0)', async () => {
    const peer = startChild(python, [`${peers}/h2_ws_server.py`]);
    const [, port] = await peer.waitFor(/listening (\d+)/);
    const client = await runEchoClient([`ws://127.0.0.1:${port}/from-node`, '--h2']);
    const [code] = await peer.exited;
    expect(peer.output()).not.toContain('FAIL');
    expect(peer.output().split('\n').filter((line) => line.startsWith('OK'))).toHaveLength(3);
    expect(peer.output()).toContain('OK extended CONNECT /from-node');
    expect(code).toBe(0);
    expect(client).toMatchObject({ code: 0, stderr: '' });
    expect(client.stdout).toContain('echoed over HTTP/2; closed 4003 "bye"');
  });
});
