// An orders API behind a Lambda function URL (payload format 2.0). GET /orders/{id} reads an
// order, POST /orders creates one from a JSON body, anything else is 404. A body that is not
// JSON gets 400, as a careful API would answer. Orders live in module scope, so they survive
// warm invocations of one execution environment and vanish with a cold start, exactly as on AWS.
const orders = new Map();
const initializedAt = Date.now();

const json = (statusCode, body) => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export async function handler(event) {
  const method = event?.requestContext?.http?.method ?? 'GET';
  const path = event?.rawPath ?? '/';
  if (method === 'POST' && path === '/orders') {
    let order;
    try {
      const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
      order = JSON.parse(text);
    } catch {
      return json(400, { message: 'body must be JSON' });
    }
    const id = String(order.orderId ?? orders.size + 1);
    orders.set(id, { ...order, orderId: id });
    return json(201, { orderId: id, stored: orders.size, environmentAgeMs: Date.now() - initializedAt });
  }
  const m = /^\/orders\/([^/]+)$/.exec(path);
  if (method === 'GET' && m) {
    const order = orders.get(m[1]);
    return order ? json(200, order) : json(404, { message: `order ${m[1]} not found` });
  }
  return json(404, { message: `no route ${method} ${path}` });
}
