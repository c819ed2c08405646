/**
 * The TUI's screen: the alternate screen (as less, htop and vim use it), so the guided diagnosis never scrolls
 * into the user's scrollback and leaves the shell as it found it on exit, whatever way the process ends; and a
 * full clear on resize, because a terminal reflows the lines Ink printed at the old width and Ink's own erase
 * (so many lines up) then misses some — the stale list header above the detail view. Also whether to paint
 * colour at all (NO_COLOR, FORCE_COLOR=0, TERM=dumb).
 *
 * Only fixed escape sequences are written here, never data; everything else reaches the screen through Ink.
 */

/** DEC private mode 1049: save the cursor and switch to the alternate screen, cleared; `l` switches back. */
export const ENTER_ALT = '\x1b[?1049h\x1b[H';
export const LEAVE_ALT = '\x1b[?1049l';
/** Erase the screen (2J) and move home: what is left of the old frame after a reflow. */
export const CLEAR = '\x1b[2J\x1b[H';

export interface Screen {
  /** Back to the normal screen; idempotent. */
  leave(): void;
}

/**
 * Switches `stream` (a terminal) to the alternate screen until `leave()`, or until the process exits: an
 * uncaught error or process.exit() still gives the user their shell back. Clears the screen on every resize;
 * register it before Ink renders, so the clear comes first and Ink's redraw lands on a clean screen.
 */
export function enterAlternateScreen(stream: NodeJS.WriteStream): Screen {
  let active = true;
  const onResize = () => {
    if (active) stream.write(CLEAR);
  };
  const leave = () => {
    if (!active) return;
    active = false;
    stream.off('resize', onResize);
    process.off('exit', leave);
    stream.write(LEAVE_ALT);
  };
  stream.write(ENTER_ALT);
  stream.on('resize', onResize);
  process.on('exit', leave);
  return { leave };
}

/**
 * Colour or not, by convention: NO_COLOR set and not empty (no-color.org), FORCE_COLOR=0, or TERM=dumb → none.
 * (The CLI's --color=always|never, when given, decides instead.)
 */
export function colorFromEnv(env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  if (env.TERM === 'dumb') return false;
  return true;
}
