/** Small hooks: a ticker for spinners and elapsed times, and the terminal's size (re-read on resize). */
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

/** Counts up every `ms` while `active`; stops (no timer left behind) otherwise. */
export function useTicker(ms: number, active: boolean): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!active || ms <= 0) return undefined;
    const t = setInterval(() => setTick((n) => n + 1), ms);
    return () => clearInterval(t);
  }, [ms, active]);
  return tick;
}

/** Columns and rows: the props when given (tests pin 80×24), else the terminal's, following resizes. */
export function useTerminalSize(columns?: number, rows?: number): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: columns ?? stdout.columns ?? 80, rows: rows ?? stdout.rows ?? 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // `read` only closes over these.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout, columns, rows]);
  return columns !== undefined && rows !== undefined ? { columns, rows } : size;
}
