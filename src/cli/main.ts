// Entry of the `gradlab` command (bin/gradlab.mjs loads it through tsx).
import { runCli, unexpectedErrorLines } from './gradlab.ts';

// Ctrl-C or a polite kill ends the runs after the step in flight, with their summary and a whole CSV.
const stop = new AbortController();
let signals = 0;
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.on(name, () => {
    signals += 1;
    if (signals > 1) process.exit(130); // a second Ctrl-C does not wait
    stop.abort();
  });
}

runCli(process.argv.slice(2), console.log, { signal: stop.signal }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // runCli turns every error into a message and a code; this is the last guard.
    for (const line of unexpectedErrorLines(error, process.argv.includes('--verbose'))) console.error(line);
    process.exit(1);
  },
);
