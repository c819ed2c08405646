import { toTerminal } from '../../render/terminal.js';
import { manPage } from '../man.js';
import type { CliCommand } from '../io.js';

/** man (hidden): the roff page; `npm run docs:man` writes it to man/ntpdoctor.1, and a test keeps that current. */
const man: CliCommand = async (_input, out) => {
  out.text(toTerminal(manPage().replace(/\n$/, '').split('\n')));
  return 0;
};

export default man;
