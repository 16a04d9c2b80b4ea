package org.rproxy.harness.load;

import java.util.function.Function;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;

import org.rproxy.core.sign.Verdict;

/**
 * What a viewer checks in an answer: a signed document is verified (for the share of answers the
 * run verifies), and a computed answer must name what it was computed from. Null when the answer
 * passes, else what was wrong. Runs on the connection's event loop.
 */
final class AnswerChecks {

    private AnswerChecks() {
    }

    static String signed(ViewerContext ctx, String path, Function<String, String> fields, ByteBuf body) {
        if (!ctx.checkNext()) {
            ctx.stats.signedUnchecked.increment();
            return null;
        }
        Verdict v = ctx.verdicts.check(path, fields, body);
        ctx.stats.signedChecked.increment();
        if (!v.valid()) {
            ctx.stats.verifyFailure(v.outcome().name());
            return "verification " + v.outcome();
        }
        return null;
    }

    /** A computed answer carries no signature and names what it came from; a signed one is verified. */
    static String derived(ViewerContext ctx, String path, FullHttpResponse response) {
        HttpHeaders h = response.headers();
        if (h.contains("signature")) {
            return signed(ctx, path, h::get, response.content());
        }
        ctx.stats.derived.increment();
        if (ctx.verify.share() > 0 && !h.contains("alto-derived-from")) {
            ctx.stats.verifyFailure("UNSIGNED_NOT_DERIVED");
            return "verification UNSIGNED_NOT_DERIVED";
        }
        return null;
    }
}
