import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Unit and property tests run against the sources; the runtime suites
    // (test/runtimes) run against the built packages instead.
    alias: {
      '@hybi/frame-codec': pkg('frame-codec'),
      '@hybi/handshake': pkg('handshake'),
      '@hybi/h2-bootstrap': pkg('h2-bootstrap'),
      '@hybi/permessage-deflate': pkg('permessage-deflate'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: ['default', './scripts/vitest-count-reporter.ts'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
