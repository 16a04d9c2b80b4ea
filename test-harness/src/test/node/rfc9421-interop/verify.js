// Independent check of rproxy's signed responses: fetches each URL, verifies the `alto`
// signature with the npm package http-message-signatures (RFC 9421) and node's own Ed25519,
// and recomputes the RFC 9530 Content-Digest with node's crypto. Prints one line per URL and
// exits 1 if any response fails. Usage: node verify.js PUBKEY.pem URL [URL...]
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { httpbis, createVerifier } = require('http-message-signatures');

async function check(url, publicKey) {
  const res = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
  const body = Buffer.from(await res.arrayBuffer());
  const headers = {};
  res.headers.forEach((value, name) => { headers[name] = value; });
  let keyUsed = null;
  const ok = await httpbis.verifyMessage({
    keyLookup: async (params) => {
      keyUsed = params.keyid;
      return { id: params.keyid, algs: ['ed25519'], verify: createVerifier(publicKey, 'ed25519') };
    },
    requiredFields: ['content-type', 'content-digest', 'etag', 'alto-resource'],
    requiredParams: ['created', 'expires', 'keyid', 'alg'],
  }, { status: res.status, headers });
  const digest = 'sha-256=:' + crypto.createHash('sha256').update(body).digest('base64') + ':';
  const digestOk = headers['content-digest'] === digest;
  return { url, status: res.status, signature: ok === true, digest: digestOk, keyid: keyUsed };
}

async function main() {
  const [pubFile, ...urls] = process.argv.slice(2);
  const publicKey = crypto.createPublicKey(fs.readFileSync(pubFile));
  let failed = 0;
  for (const url of urls) {
    let r;
    try {
      r = await check(url, publicKey);
    } catch (e) {
      r = { url, error: String(e && e.message || e) };
    }
    const good = r.status === 200 && r.signature && r.digest;
    if (!good) failed++;
    console.log((good ? 'VALID ' : 'INVALID ') + JSON.stringify(r));
  }
  process.exit(failed === 0 ? 0 : 1);
}

main();
