// Subscribes to an ALTO update stream (RFC 8895) with the npm `eventsource` package, which knows
// nothing of ALTO: it POSTs the stream parameters through its `fetch` hook and prints one JSON
// line per event it dispatches: {"type": ..., "data": ...}. Exits once it has seen N events of
// type UNTIL, or after 20 s. Usage: node subscribe.js STREAM_URL PARAMS_JSON EVENT_TYPE... --until UNTIL N
import { EventSource } from 'eventsource';

const [url, params, ...rest] = process.argv.slice(2);
const untilAt = rest.indexOf('--until');
const until = rest[untilAt + 1];
const count = Number(rest[untilAt + 2]);
const types = rest.slice(0, untilAt);

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
    if (e.type === until && ++seen >= count) {
      clearTimeout(timer);
      es.close();
      process.exit(0);
    }
  });
}
es.onerror = (e) => {
  console.log(JSON.stringify({ type: 'error', data: String(e && (e.message || e.code)) }));
};
