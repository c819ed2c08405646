/** Paints lines built by src/ui/views.ts: one Ink <Text> per line, one nested <Text> per styled segment. */
import { Box, Text } from 'ink';
import { escapeControls } from '../../render/terminal.js';
import type { Line, Tone } from '../text.js';

const STYLE: Record<Tone, { color?: string; dimColor?: boolean }> = {
  error: { color: 'red' },
  failed: { color: 'red' },
  warning: { color: 'yellow' },
  info: { color: 'cyan' },
  ok: { color: 'green' },
  running: { color: 'cyan' },
  accent: { color: 'magenta' },
  dim: { dimColor: true },
};

/**
 * `color` false (NO_COLOR, TERM=dumb, --color=never): no colour at all — neither hues nor dim, which terminals
 * paint as a grey. Bold and inverse stay: they are emphasis, not colour (no-color.org), and the selection needs one.
 */
export function LineView({ line, color = true }: { line: Line; color?: boolean }) {
  const segments = line.filter((s) => s.text !== '');
  // An empty <Text> takes no row: a blank line is a space.
  if (segments.length === 0) return <Text> </Text>;
  return (
    <Text wrap="truncate-end">
      {segments.map((s, i) => (
        <Text key={i} {...(s.tone && color ? STYLE[s.tone] : {})} bold={s.bold ?? false} inverse={s.inverse ?? false}>
          {/* The views escape data already (state.ts); this is the last guard before the terminal, a no-op then. */}
          {escapeControls(s.text)}
        </Text>
      ))}
    </Text>
  );
}

export function LinesView({ lines, color = true }: { lines: readonly Line[]; color?: boolean }) {
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <LineView key={i} line={line} color={color} />
      ))}
    </Box>
  );
}
