import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { InputError } from '../../src/errors.js';

const spec = {
  options: { json: 'boolean', 'local-ip': 'string[]', samples: 'number', listen: 'string' } as const,
  alias: { i: 'listen' },
  usage: 'usage: x',
};

describe('parseArgs', () => {
  it('parses booleans, repeated strings, numbers, aliases, = values and stdin', () => {
    const a = parseArgs(['-', '--json', '--local-ip', '1.2.3.4', '--local-ip=5.6.7.8', '--samples', '3', '-i', 'lo'], spec);
    expect(a.positionals).toEqual(['-']);
    expect(a.values).toEqual({ json: true, 'local-ip': ['1.2.3.4', '5.6.7.8'], samples: 3, listen: 'lo' });
  });
  it.each([
    [['--nope'], /unknown option --nope/],
    [['--samples'], /needs a value/],
    [['--samples', 'x'], /not a number/],
    [['--json=1'], /takes no value/],
    [['-z'], /unknown option -z/],
  ])('rejects %j with one clear message', (argv, msg) => {
    expect(() => parseArgs(argv, spec)).toThrow(InputError);
    expect(() => parseArgs(argv, spec)).toThrow(msg);
  });
  it('enforces positional counts', () => {
    expect(() => parseArgs([], { ...spec, minPositionals: 1 })).toThrow(/missing argument/);
    expect(() => parseArgs(['a', 'b'], { ...spec, maxPositionals: 1 })).toThrow(/too many arguments: b/);
    expect(parseArgs(['--', '--json'], spec).positionals).toEqual(['--json']);
  });
});
