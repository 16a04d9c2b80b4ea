// Subscribes to an ALTO update stream (RFC 8895) with the npm `eventsource` package, which knows
// nothing of ALTO: it POSTs the stream parameters through its `fetch` hook and prints one JSON
// line per event it dispatches: {"type": ..., "data": ...}. Exits after `count` events or on
// error/timeout. Usage: node subscribe.js STREAM_URL PARAMS_JSON EVENT_TYPE... --count N
import { EventSource } from 'eventsource';

const [url, params, ...rest] = process.argv.slice(2);
const countAt = rest.indexOf('--count');
const count = Number(rest[countAt + 1]);
const types = rest.slice(0, countAt);

let seen = 0;
const es = new EventSource(url, {
  fetch: (input, init) => fetch(input, {
    ...init,
    method: 'POST',
    body: params,
    headers: { ...init.headers, 'Content-Type': 'application/alto-updatestreamparams+json' },
  }),
});
const timer = setTimeout(() => { console.log(JSON.stringify({ type: 'timeout' })); process.exit(2); }, 20000);
for (const t of types) {
  es.addEventListener(t, (e) => {
    console.log(JSON.stringify({ type: e.type, data: e.data }));
    if (++seen >= count) {
      clearTimeout(timer);
      es.close();
      process.exit(0);
    }
  });
}
es.onerror = (e) => {
  console.log(JSON.stringify({ type: 'error', data: String(e && (e.message || e.code)) }));
};
