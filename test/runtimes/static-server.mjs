// A tiny static file server on 127.0.0.1 for the Chromium runs: GET and HEAD
// only, files under `root` only (symbolic links followed, such as
// node_modules/@hybi/*, as long as their target is under `root` too).
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Starts the server; resolves to `{ origin, close() }`. */
export async function startStaticServer(root) {
  const realRoot = await realpath(root);
  const server = createServer(async (request, response) => {
    const fail = (status) => response.writeHead(status, { 'content-type': 'text/plain' }).end(`${status}\n`);
    if (request.method !== 'GET' && request.method !== 'HEAD') return fail(405);
    if (request.url === '/favicon.ico') return response.writeHead(204).end(); // asked for by every page
    try {
      const path = decodeURIComponent(new URL(request.url, 'http://127.0.0.1').pathname);
      const file = await realpath(join(realRoot, path));
      if (file !== realRoot && !file.startsWith(realRoot + sep)) return fail(403);
      if (!(await stat(file)).isFile()) return fail(404);
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      if (request.method === 'HEAD') return response.end();
      createReadStream(file).pipe(response);
    } catch {
      fail(404);
    }
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
