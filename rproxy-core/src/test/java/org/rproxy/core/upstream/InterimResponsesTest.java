package org.rproxy.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The rule both HTTP clients follow for interim responses (RFC 9110 §15.2), held in one place:
 * 100 Continue, 102 and 103 Early Hints (any 1xx but 101) are skipped; 101 Switching Protocols is
 * an error unless the request asked to upgrade; everything from 200 up is the answer. The clients'
 * own tests on raw loopback upstreams ({@link UpstreamInterimResponseTest}, the push feed's
 * {@code UpstreamStreamInterimTest}) show them following it.
 */
class InterimResponsesTest {

    @ParameterizedTest
    @ValueSource(ints = {100, 102, 103, 150, 199})
    void anInterimResponseOtherThan101IsSkippedWhetherOrNotAnUpgradeWasAsked(int code) {
        assertEquals(InterimResponses.Kind.SKIP, InterimResponses.of(HttpResponseStatus.valueOf(code), false));
        assertEquals(InterimResponses.Kind.SKIP, InterimResponses.of(HttpResponseStatus.valueOf(code), true));
    }

    @Test
    void a101IsAnErrorUnlessAnUpgradeWasAsked() {
        assertEquals(InterimResponses.Kind.UNASKED_SWITCH,
                InterimResponses.of(HttpResponseStatus.SWITCHING_PROTOCOLS, false));
        assertEquals(InterimResponses.Kind.SWITCHED, InterimResponses.of(HttpResponseStatus.SWITCHING_PROTOCOLS, true));
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 204, 304, 404, 503, 599})
    void aStatusFrom200UpIsTheAnswer(int code) {
        assertEquals(InterimResponses.Kind.FINAL, InterimResponses.of(HttpResponseStatus.valueOf(code), false));
    }

    @Test
    void anUnaskedSwitchSaysSoAndNamesTheProtocolOffered() {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        r.headers().set(HttpHeaderNames.UPGRADE, "h2c");
        String why = InterimResponses.unaskedSwitch(r);
        assertTrue(why.contains("101") && why.contains("'h2c'") && why.contains("no upgrade was asked for"), why);
    }
}
