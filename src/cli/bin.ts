#!/usr/bin/env node
import { exitWhenWritten, processIo } from './io.js';
import { main, reportError } from './main.js';

// `ntpdoctor analyze big.pcap | head`: a closed pipe is not an error worth a message.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2)).then(exitWhenWritten, (err: unknown) => exitWhenWritten(reportError(err, processIo)));
