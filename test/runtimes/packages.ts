// The packages under test, as their users import them: by bare name, so that
// each runtime resolves the BUILT package (dist/) through node_modules, an
// import map or require(). Entry points import this module; esbuild leaves
// `@hybi/*` external when bundling them (scripts/runtimes.mjs).
import * as frameCodec from '@hybi/frame-codec';
import * as h2Bootstrap from '@hybi/h2-bootstrap';
import * as handshake from '@hybi/handshake';
import * as permessageDeflate from '@hybi/permessage-deflate';

export const apis = { frameCodec, handshake, h2Bootstrap, permessageDeflate } as const;

/** The bare specifiers the entry points report the resolution of. */
export const PACKAGE_NAMES = ['@hybi/frame-codec', '@hybi/handshake', '@hybi/h2-bootstrap', '@hybi/permessage-deflate'] as const;

/** The file name of `vectors.json`, written next to the bundles by the driver. */
export const VECTORS_FILE = 'vectors.json';
