import { describe, expect, it } from 'vitest';
import { BARS, GAP, sparkline } from '../../src/ui/sparkline.js';

describe('sparkline', () => {
  it('maps the smallest value to the lowest bar and the largest to the highest', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([7, 0])).toBe('█▁');
  });

  it('scales between min and max, whatever their sign and size (offsets in seconds)', () => {
    // -2 ms … +2 ms: 0 sits half way, rounded to bar index round(3.5) = 4.
    expect(sparkline([-0.002, 0, 0.002])).toBe(`${BARS[0]}${BARS[4]}${BARS[7]}`);
    expect(sparkline([31566952.6, 31566952.7])).toBe('▁█');
  });

  it('draws a steady offset flat, in the middle', () => {
    expect(sparkline([0.001, 0.001, 0.001])).toBe('▄▄▄');
  });

  it('shows exchanges without an offset as gaps, and only gaps when nothing has one', () => {
    expect(sparkline([0, undefined, 1])).toBe(`▁${GAP}█`);
    expect(sparkline([undefined, Number.NaN])).toBe(GAP + GAP);
  });

  it('keeps the latest `width` values, scaled among themselves', () => {
    expect(sparkline([100, 0, 1, 2], 3)).toBe('▁▅█'); // 1 is half way: index round(3.5) = 4
    expect(sparkline([1, 2, 3], 0)).toBe('');
    expect(sparkline([])).toBe('');
    expect(sparkline([5, 6], 10)).toHaveLength(2);
  });
});
