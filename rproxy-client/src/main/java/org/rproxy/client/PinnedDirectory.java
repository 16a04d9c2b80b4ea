package org.rproxy.client;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;

import org.rproxy.core.answer.AnswerEngine;
import org.rproxy.core.codec.json.AltoJson;
import org.rproxy.core.model.AltoException;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.model.Directory;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.TrustedKeys;
import org.rproxy.core.sign.VerificationKey;
import org.rproxy.core.store.Representation;

/**
 * The origin's directory as a client takes it at bootstrap: read, its key with the pinned id found,
 * and its signature checked against that key alone. The pinned keys are the trust anchors; the
 * directory they vouch for adds the keys it lists ({@link #trusted}).
 *
 * @param directory the directory read
 * @param trusted   the pinned keys, to which a directory they vouch for adds its own
 * @param signed    the directory's verified representation
 */
record PinnedDirectory(Directory directory, TrustedKeys trusted, Representation signed) {

    /**
     * Asks the origin for its directory and checks it against the pin.
     *
     * @throws ClientException.InvalidResponse when it is not a directory, lists no pinned key or is
     *                                         not signed by one
     * @throws ClientException                 when the origin cannot be asked, or the directory is
     *                                         signed by the pinned key but not valid at this client's
     *                                         clock ({@link ClientException.ClockSkew})
     */
    static PinnedDirectory fetch(ClientOptions options, RollbackGuard guard, Fetcher fetcher) {
        URI uri = Sources.at(options.origin(), AnswerEngine.DIRECTORY);
        HttpResponse<byte[]> r = fetcher.get(uri);
        Directory dir;
        try {
            dir = AltoJson.readDirectory(AltoJson.parse(r.body()));
        } catch (AltoException e) {
            throw new ClientException.InvalidResponse(uri, "not a directory: " + e.error().message()
                    + (e.error().field() == null ? "" : " (field " + e.error().field() + ")"));
        }
        List<VerificationKey> pinned = options.pin().resolve(dir);
        if (pinned.isEmpty()) {
            throw new ClientException.InvalidResponse(uri, "the directory lists no key with the pinned key id "
                    + String.join(" or ", options.pin().keyIds()));
        }
        TrustedKeys trusted = new TrustedKeys(pinned);
        try {
            Representation signed = new Checker(new ResponseVerifier(pinned, options.clock()), guard, trusted)
                    .check(uri, AnswerEngine.DIRECTORY, name -> Fetcher.header(r, name), Bytes.wrap(r.body()), 0);
            return new PinnedDirectory(dir, trusted, signed);
        } catch (ClientException.InvalidResponse e) {
            throw new ClientException.InvalidResponse(uri, "not signed by the pinned key "
                    + String.join(" or ", options.pin().keyIds()) + ": " + e.reason());
        } catch (ClientException.OutsideValidity e) {
            // signed by the pinned key, by the origin itself, yet not valid now: this client's clock
            throw FailedAttempts.end(uri, List.of(e));
        }
    }
}
