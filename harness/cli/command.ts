/**
 * The shape of one CLI command: yargs' builder plus a `run` that returns an exit code from
 * contracts/exit-codes.ts. `main.ts` reads the code back from the parsed arguments.
 */
import type { Argv, CommandModule } from 'yargs';

export interface SquallCommand<A> {
  command: string | readonly string[];
  describe: string;
  builder: (y: Argv) => Argv<A>;
  run: (args: A) => Promise<number> | number;
}

export function defineCommand<A>(c: SquallCommand<A>): CommandModule<object, A> {
  return {
    command: c.command as string | readonly string[],
    describe: c.describe,
    builder: c.builder as unknown as CommandModule<object, A>['builder'],
    handler: async (args) => {
      const code = await c.run(args as A);
      (args as unknown as { exitCode: number }).exitCode = code;
    },
  };
}
