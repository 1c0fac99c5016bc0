/**
 * What a k6 module squall does not run resolves to: importing it fails at start, naming the
 * module and pointing to real k6 (browser, grpc, websockets, html, remote modules ...).
 */
const u = new URL(import.meta.url);
const mod = u.searchParams.get('module');
const remote = u.searchParams.get('remote');

export class UnsupportedModuleError extends Error {
  readonly squallUnsupported = true;
}

if (remote) {
  throw new UnsupportedModuleError(
    `the script imports the remote module ${remote}; squall's engine does not download modules. ` +
      'Save it next to the script and import it by a relative path, or run the script with real k6 (https://k6.io/)',
  );
}
throw new UnsupportedModuleError(
  `the script imports "${mod}", which squall's embedded engine does not support (it runs k6, k6/http, k6/metrics, ` +
    'k6/execution, k6/timers, k6/crypto, k6/encoding and k6/data). Run this script with real k6 (https://k6.io/): ' +
    'the runner uses a k6 binary when one is installed',
);
