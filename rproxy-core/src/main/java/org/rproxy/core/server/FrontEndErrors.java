package org.rproxy.core.server;

import org.rproxy.core.model.AltoError;
import org.rproxy.core.model.AltoErrorCode;

/**
 * The ALTO errors the front end answers by itself, before or instead of a service, each with
 * its HTTP status. Rendering is {@link ErrorResponses}' job.
 *
 * <p>RFC 7285 §8.5.2 requires {@code meta.code} to be one of its four registered codes, none of
 * which describes a server-side failure. Errors about the request as a whole (framing, size)
 * use {@code E_SYNTAX}; those naming one header use {@code E_INVALID_FIELD_VALUE} with that
 * field; the server's own failures (500, 503) are {@link AltoError#serverCondition}: no code,
 * answered as their message in plain text.
 */
final class FrontEndErrors {

    private FrontEndErrors() {
    }

    static AltoError badRequest(String reason) {
        return AltoError.syntax(reason);
    }

    static AltoError requestLineTooLong(int max) {
        return AltoError.syntax("request line longer than " + max + " bytes").withStatus(414);
    }

    static AltoError headersTooLarge(int max) {
        return AltoError.syntax("header section larger than " + max + " bytes").withStatus(431);
    }

    static AltoError bodyTooLarge(int max) {
        return AltoError.syntax("request body larger than " + max + " bytes").withStatus(413);
    }

    static AltoError versionNotSupported(String version) {
        return AltoError.syntax("unsupported protocol version " + version + " (expected: HTTP/1.x)").withStatus(505);
    }

    /** @param allow what the resource accepts, as the {@code Allow} value sent with the 405 */
    static AltoError methodNotAllowed(String method, String allow) {
        return AltoError.of(AltoErrorCode.E_INVALID_FIELD_VALUE, "method", method,
                "method: " + method + " (expected: " + allow + ")").withStatus(405);
    }

    static AltoError notFound(String path) {
        return AltoError.invalidValue("uri", path, "no such resource").withStatus(404);
    }

    static AltoError expectationFailed(String expect) {
        return AltoError.of(AltoErrorCode.E_INVALID_FIELD_VALUE, "expect", expect,
                "expect: " + expect + " (expected: 100-continue)").withStatus(417);
    }

    static AltoError overloaded() {
        return AltoError.serverCondition("too many connections, retry later", 503);
    }

    /** A connection past {@link FrontEndConfig#maxConnectionsPerAddress}: its client may close one of its others. */
    static AltoError tooManyFromAddress(int limit) {
        return AltoError.serverCondition("too many connections from this address (" + limit
                + " at most); close one, or retry later", 503);
    }

    static AltoError answersWaiting(int limit) {
        return AltoError.serverCondition("this connection already has " + limit
                + " large answers waiting for the client to read them; read them, then ask again", 503);
    }

    static AltoError bodiesInProgress(long budget) {
        return AltoError.serverCondition("the request bodies arriving on this connection would take more than " + budget
                + " bytes; send fewer at once, then ask again", 503);
    }

    static AltoError bodiesOnServer(long budget) {
        return AltoError.serverCondition("the server is receiving more request bodies than it holds at once ("
                + budget + " bytes); retry later", 503);
    }

    static AltoError internal() {
        return AltoError.serverCondition("internal error", 500);
    }
}
