import { toTerminal } from '../../render/terminal.js';
import { completionScript } from '../completion.js';
import type { CliCommand } from '../io.js';

/** completion bash|zsh: the script, generated from the definition (the parser allowed only those two). */
const completion: CliCommand = async ({ args }, out) => {
  const shell = args[0] === 'zsh' ? 'zsh' : 'bash';
  out.text(toTerminal(completionScript(shell).replace(/\n$/, '').split('\n')));
  return 0;
};

export default completion;
