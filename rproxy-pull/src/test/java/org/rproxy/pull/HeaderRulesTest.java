package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rproxy.core.store.HeaderField;

class HeaderRulesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "max-age=60                | 60",
            "public, max-age=3600      | 3600",
            "max-age=\"30\"            | 30",
            "no-store, max-age=60      | 0",
            "no-cache                  | 0",
            "max-age=abc               | 0",
            "max-age=-5                | 0",
            "max-age=99999999999999    | 2147483647",
    })
    void maxAgeFollowsRfc9111(String cacheControl, long seconds) {
        assertEquals(seconds, HeaderRules.maxAge(cacheControl));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "max-age=60, no-transform, stale-while-revalidate=60, stale-if-error=1740 | 60 | 1740",
            "max-age=60                                                                | 0  | 0",
            "max-age=60, stale-if-error=\"30\"                                          | 0  | 30",
            "no-store, stale-while-revalidate=60, stale-if-error=60                    | 0  | 0",
            "Stale-While-Revalidate=5, STALE-IF-ERROR=x                                | 5  | 0",
    })
    void staleWindowsFollowRfc5861(String cacheControl, long whileRevalidate, long ifError) {
        assertEquals(whileRevalidate, HeaderRules.staleWhileRevalidate(cacheControl));
        assertEquals(ifError, HeaderRules.staleIfError(cacheControl));
    }

    @Test
    void anAbsentCacheControlMeansNoFreshnessAndAnAbsentAgeMeansZero() {
        assertEquals(0, HeaderRules.maxAge(null));
        assertEquals(0, HeaderRules.age(null));
        assertEquals(12, HeaderRules.age(" 12 "));
    }

    @ParameterizedTest(name = "Age {0}, Date {1}, delay {2} s -> {3}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            // received at 2025-06-01T12:00:16Z
            "-   | -                             | 0 | 0",
            "12  | -                             | 0 | 12",
            "5   | -                             | 3 | 8",
            // nginx: the stored Age, never updated, and the stored Date of a copy held 16 s
            "0   | Sun, 01 Jun 2025 12:00:00 GMT | 0 | 16",
            "-   | Sun, 01 Jun 2025 12:00:00 GMT | 0 | 16",
            // Varnish: Age counts the time held, and more than the Date shows
            "20  | Sun, 01 Jun 2025 12:00:00 GMT | 0 | 20",
            "15  | Sun, 01 Jun 2025 12:00:00 GMT | 2 | 17",
            // a Date in the future (the sender's clock ahead) gives no apparent age
            "4   | Sun, 01 Jun 2025 12:05:00 GMT | 0 | 4",
            // a Date that is not an IMF-fixdate is not used
            "4   | Sunday, 01-Jun-25 12:00:00 GMT | 0 | 4",
            "4   | yesterday                     | 0 | 4",
    })
    void theInitialAgeIsTheLargerOfTheApparentAgeAndAgePlusTheResponseDelay(String age, String date, long delay,
                                                                          long expected) {
        assertEquals(expected, HeaderRules.initialAge(age, date, Instant.parse("2025-06-01T12:00:16Z"),
                Duration.ofSeconds(delay)));
    }

    @Test
    void storedFieldsDropHopByHopAndPerResponseFieldsAndAppendVia() {
        List<HeaderField> upstream = List.of(new HeaderField("Content-Type", "application/xml"),
                new HeaderField("Connection", "keep-alive"), new HeaderField("Date", "x"),
                new HeaderField("Cache-Control", "max-age=60"), new HeaderField("Content-Length", "10"),
                new HeaderField("Age", "3"), new HeaderField("Via", "1.1 regional"),
                new HeaderField("Signature", "alto=:x:"), new HeaderField("Transfer-Encoding", "chunked"));
        assertEquals(List.of(new HeaderField("content-type", "application/xml"), new HeaderField("signature", "alto=:x:"),
                new HeaderField("via", "1.1 regional, 1.1 edge")), HeaderRules.stored(upstream, "1.1 edge"));
    }

    @Test
    void theFieldsAnHttpCacheInBetweenWritesAboutItselfAreNotStoredNorFreshened() {
        List<HeaderField> cacheFields = List.of(new HeaderField("Server", "nginx/1.22.1"),
                new HeaderField("X-Cache-Status", "HIT"), new HeaderField("X-Varnish", "98307 32770"),
                new HeaderField("Accept-Ranges", "bytes"), new HeaderField("X-Cache", "HIT"),
                new HeaderField("X-Cache-Hits", "3"));
        List<HeaderField> upstream = new ArrayList<>(cacheFields);
        upstream.add(new HeaderField("Content-Type", "application/xml"));
        upstream.add(new HeaderField("ETag", "\"a\""));
        assertEquals(List.of(new HeaderField("content-type", "application/xml"), new HeaderField("etag", "\"a\""),
                new HeaderField("via", "1.1 edge")), HeaderRules.stored(upstream, "1.1 edge"));
        List<HeaderField> stored = List.of(new HeaderField("etag", "\"a\""), new HeaderField("via", "1.1 edge"));
        assertEquals(stored, HeaderRules.freshened(stored, cacheFields));
    }

    @Test
    void a304ReplacesTheFieldsItCarriesAndKeepsTheRest() {
        List<HeaderField> stored = List.of(new HeaderField("content-type", "application/xml"),
                new HeaderField("etag", "\"a\""), new HeaderField("signature-input", "old-input"),
                new HeaderField("signature", "old"), new HeaderField("via", "1.1 edge"));
        List<HeaderField> notModified = List.of(new HeaderField("etag", "\"a\""),
                new HeaderField("signature-input", "new-input"), new HeaderField("signature", "new"),
                new HeaderField("content-length", "0"), new HeaderField("via", "1.1 other"), new HeaderField("date", "d"));
        assertEquals(List.of(new HeaderField("content-type", "application/xml"), new HeaderField("via", "1.1 edge"),
                new HeaderField("etag", "\"a\""), new HeaderField("signature-input", "new-input"),
                new HeaderField("signature", "new")), HeaderRules.freshened(stored, notModified));
    }
    /** Fields whose {@code alto} signature covers {@code covered} (not a valid signature: only its base is read). */
    private static List<HeaderField> signedOver(String covered, HeaderField... more) {
        List<HeaderField> h = new ArrayList<>(List.of(new HeaderField("content-type", "application/alto-networkmap+json"),
                new HeaderField("content-digest", "sha-256=:AAAA:"), new HeaderField("etag", "\"e\""),
                new HeaderField("alto-resource", "\"doc\";path=\"/networkmap/a\""),
                new HeaderField("signature-input", "alto=(" + covered + ");created=1;expires=2;keyid=\"k\";alg=\"ed25519\";"
                        + "tag=\"alto-redist\""),
                new HeaderField("signature", "alto=:AAAA:")));
        h.addAll(List.of(more));
        return h;
    }

    @Test
    void theFieldsConnectionNamesAreHopByHopButNeverASignedOne() {
        String covered = "\"content-type\" \"content-digest\" \"etag\" \"alto-resource\" \"x-signed\"";
        List<HeaderField> upstream = signedOver(covered, new HeaderField("Connection", "close, X-Hop, x-signed"),
                new HeaderField("Connection", "etag , signature"), new HeaderField("X-Hop", "1"),
                new HeaderField("X-Signed", "2"), new HeaderField("X-End", "3"));
        List<HeaderField> stored = HeaderRules.stored(upstream, "1.1 edge");
        List<String> names = stored.stream().map(HeaderField::name).toList();
        assertEquals(List.of("content-type", "content-digest", "etag", "alto-resource", "signature-input", "signature",
                "x-signed", "x-end", "via"), names);
        // a 304's fields likewise
        assertEquals(List.of(new HeaderField("etag", "\"f\"")), HeaderRules.freshened(List.of(),
                List.of(new HeaderField("connection", "x-hop"), new HeaderField("x-hop", "1"),
                        new HeaderField("etag", "\"f\""))));
    }

    @Test
    void aSignatureCoveringAHopByHopFieldIsFound() {
        String base = "\"content-type\" \"content-digest\" \"etag\" \"alto-resource\"";
        assertEquals(null, HeaderRules.signedHopByHop(signedOver(base)));
        assertEquals("te", HeaderRules.signedHopByHop(signedOver(base + " \"te\"", new HeaderField("te", "trailers"))));
        assertEquals(null, HeaderRules.signedHopByHop(List.of(new HeaderField("te", "trailers"))), "unsigned");
    }
}
