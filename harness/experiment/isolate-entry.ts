/**
 * The child process that evaluates a TypeScript/JavaScript experiment file (see source.ts): it
 * imports the module, sends its default export back as JSON over the IPC channel and exits. Code in
 * the experiment file runs only here, so a `process.exit`, a throw, a hang or a timer cannot reach
 * the squall process that applies faults.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

type Reply = { ok: true; json: string } | { ok: false; error: string } | { ok: true; json: undefined };

function reply(r: Reply): void {
  // Exit as soon as the parent has the answer: timers the module left behind never fire.
  process.send!(r, () => process.exit(0));
}

const file = process.argv[2]!;
try {
  const mod = (await import(pathToFileURL(path.resolve(file)).href)) as { default?: unknown };
  if (mod.default === undefined) reply({ ok: true, json: undefined });
  else {
    let json: string | undefined;
    try {
      json = JSON.stringify(mod.default);
    } catch (e) {
      reply({ ok: false, error: `the default export is not plain data (${e instanceof Error ? e.message : String(e)})` });
    }
    if (json !== undefined) reply({ ok: true, json });
  }
} catch (e) {
  reply({ ok: false, error: `cannot load the module: ${e instanceof Error ? e.message.split('\n')[0]! : String(e)}` });
}
