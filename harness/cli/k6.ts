import { EXIT } from '../contracts/exit-codes.ts';
import { defineCommand } from './command.ts';

// Placeholder until its issue lands: says so plainly and exits 1.
export default defineCommand({
  command: 'k6',
  describe: '(k6: not built yet)',
  builder: (y) => y,
  run: () => {
    process.stderr.write('squall k6 is not built yet.\n');
    return EXIT.internalError;
  },
});
