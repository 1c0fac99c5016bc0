import { EXIT } from '../contracts/exit-codes.ts';
import { defineCommand } from './command.ts';

// Placeholder until its issue lands: says so plainly and exits 1.
export default defineCommand({
  command: 'generate',
  describe: '(generate: not built yet)',
  builder: (y) => y,
  run: () => {
    process.stderr.write('squall generate is not built yet.\n');
    return EXIT.internalError;
  },
});
