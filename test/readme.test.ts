// The root README's example per package (examples/readme/*.mjs): each is shown
// in README.md verbatim, and run against the built packages; every line it
// prints must equal the comment of its console.log (on the same line, or the
// comment line right after it).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const dir = join(root, 'examples', 'readme');
const files = readdirSync(dir).filter((file) => file.endsWith('.mjs')).sort();

/** The output a file announces: one line per console.log call, from its comment. */
function expectedOutput(source: string): string[] {
  const lines = source.split('\n');
  const expected: string[] = [];
  lines.forEach((line, i) => {
    if (!line.startsWith('console.log(')) return;
    const comment = / \/\/ (.*)$/.exec(line)?.[1] ?? /^\/\/ (.*)$/.exec(lines[i + 1] ?? '')?.[1];
    if (comment === undefined) throw new Error(`console.log without its expected output: ${line}`);
    expected.push(comment);
  });
  return expected;
}

describe.each(files)('examples/readme/%s', (file) => {
  const source = readFileSync(join(dir, file), 'utf8');

  it('is shown in README.md verbatim', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(`\`\`\`js\n${source}\`\`\`\n`);
  });

  it('prints what its comments say, with the built packages', () => {
    const expected = expectedOutput(source);
    expect(expected.length).toBeGreaterThan(2);
    const output = execFileSync(process.execPath, [join(dir, file)], { encoding: 'utf8', cwd: root });
    expect(output.trimEnd().split('\n')).toEqual(expected);
  });
});
