// A typed function URL handler in TypeScript: the emulator loads .ts handlers through tsx inside
// the handler's own worker (on AWS you would bundle it to JavaScript first). It greets the
// `name` query parameter and reports whether this environment was just initialised.
interface UrlEvent {
  rawPath: string;
  queryStringParameters?: Record<string, string>;
  requestContext: { http: { method: string } };
}

interface UrlResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

let invocations = 0;

export async function handler(event: UrlEvent): Promise<UrlResult> {
  invocations++;
  const name = event.queryStringParameters?.name ?? 'world';
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ greeting: `hello, ${name}`, path: event.rawPath, coldStart: invocations === 1 }),
  };
}
