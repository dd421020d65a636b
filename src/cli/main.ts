// Entry of the `gradlab` command (bin/gradlab.mjs loads it through tsx).
import { runCli } from './gradlab.ts';

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`gradlab: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
