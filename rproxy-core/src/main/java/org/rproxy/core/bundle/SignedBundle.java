package org.rproxy.core.bundle;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.rproxy.core.io.AtomicFiles;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.AltoResource;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureHeaders;
import org.rproxy.core.sign.SignatureWindow;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.sign.VerifiedRepresentation;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;
import org.rproxy.core.store.SharedFreshness;
import org.rproxy.core.store.Variant;

/**
 * A signed ALTO response kept as a file that verifies on its own: whoever holds the origin's
 * public key can check it offline, so a client can hand it to a peer, and a node can serve it
 * without ever having seen the origin. The file is an HTTP/1.1 response message
 * ({@code application/http}, RFC 9112 §10.1): the status line, the fields that matter for
 * verification and caching, {@code content-length}, an empty line and the body exactly as it came
 * over the wire (a gzip variant stays gzip: the content digest covers the coded bytes).
 *
 * <p>Field names are lower case, each appears once (several lines of a field are joined with
 * {@code ", "}, which is how the verifier reads them), and framing fields ({@code content-length},
 * {@code transfer-encoding}) are not fields of the bundle but of the file. Immutable; safe to
 * share between threads.
 *
 * @param fields the response's fields, in the order they are written
 * @param body   the content as received, content coding included
 */
public record SignedBundle(List<HeaderField> fields, Bytes body) {

    /** The media type of a bundle file (RFC 9112 §10.1). */
    public static final String MEDIA_TYPE = "application/http; msgtype=response";

    /** A cap for reading a bundle: the largest body a proxy fetches by default, and the fields. */
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024 + 64 * 1024;

    /** What a bundle keeps of a response: what verification reads, and what a server of it needs. */
    static final List<String> KEPT = List.of("content-type", "content-encoding", "content-digest", "etag",
            "alto-resource", "signature-input", "signature", "alto-derived-from", "cache-control", "vary",
            "last-modified");

    /** What a server of the bundle sends of its fields; it makes its own caching fields. */
    private static final Set<String> SERVED = Set.of("content-type", "content-digest", "etag", "alto-resource",
            "signature-input", "signature", "alto-derived-from");

    /** Fields that frame a message; a file's framing is its own. */
    private static final Set<String> FRAMING = Set.of("content-length", "transfer-encoding");

    static final String STATUS_LINE = "HTTP/1.1 200 OK";

    public SignedBundle {
        requireNonNull(fields, "fields");
        requireNonNull(body, "body");
        fields = List.copyOf(fields);
        Set<String> seen = new HashSet<>();
        for (HeaderField f : fields) {
            requireNonNull(f, "field");
            if (!FieldSyntax.isToken(f.name())) {
                throw new IllegalArgumentException("field name: '" + f.name() + "' (expected: a token)");
            }
            if (FRAMING.contains(f.name())) {
                throw new IllegalArgumentException(f.name() + ": not allowed (the bundle frames the body itself)");
            }
            if (!seen.add(f.name())) {
                throw new IllegalArgumentException(f.name() + ": repeated (expected: once, values joined with \", \")");
            }
            String problem = FieldSyntax.valueProblem(f.value());
            if (problem != null) {
                throw new IllegalArgumentException(f.name() + ": " + problem);
            }
        }
    }

    /**
     * Keeps a 200 response: the fields of {@link #KEPT} found in {@code headers} (any case; several
     * values of one field are joined with {@code ", "}) and the body as received.
     */
    public static SignedBundle of(Map<String, List<String>> headers, byte[] body) {
        requireNonNull(headers, "headers");
        requireNonNull(body, "body");
        List<HeaderField> kept = new ArrayList<>();
        for (String name : KEPT) {
            List<String> values = new ArrayList<>();
            headers.forEach((n, v) -> {
                if (n != null && n.toLowerCase(Locale.ROOT).equals(name)) {
                    values.addAll(v);
                }
            });
            if (!values.isEmpty()) {
                kept.add(new HeaderField(name, String.join(", ", values)));
            }
        }
        return new SignedBundle(kept, Bytes.copyOf(body));
    }

    /** The value of field {@code name} (lower case), or null. */
    public String field(String name) {
        for (HeaderField f : fields) {
            if (f.name().equals(name)) {
                return f.value();
            }
        }
        return null;
    }

    /**
     * This bundle with only the ALTO signatures over {@code window}, the window of the one a
     * verifier checked in it ({@link SignatureWindow#onlyOwn}): the origin's, without one a proxy
     * or cache in between added beside them, so that every node holding the version makes the same
     * bundle of it and the overlay reads its window. This bundle itself when nothing is dropped, or
     * its signature fields cannot be read.
     */
    public SignedBundle signedOver(SignatureWindow window) {
        requireNonNull(window, "window");
        String input = field(SignatureHeaders.SIGNATURE_INPUT);
        String signature = field(SignatureHeaders.SIGNATURE);
        SignatureHeaders own = input == null || signature == null ? null : window.onlyOwn(input, signature);
        if (own == null || own.signatureInput().equals(input) && own.signature().equals(signature)) {
            return this;
        }
        List<HeaderField> out = new ArrayList<>(fields.size());
        for (HeaderField f : fields) {
            String name = f.name();
            out.add(name.equals(SignatureHeaders.SIGNATURE_INPUT) ? new HeaderField(name, own.signatureInput())
                    : name.equals(SignatureHeaders.SIGNATURE) ? new HeaderField(name, own.signature()) : f);
        }
        return new SignedBundle(out, body);
    }

    /** The path the bundle says it answers (its {@code alto-resource}), or null when it names none usable. */
    public String path() {
        String resource = field(AltoResource.HEADER);
        if (resource == null) {
            return null;
        }
        try {
            return AltoResource.parse(resource).path();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Verifies the bundle as a response for the resource it names, so no URL is needed: the
     * signature covers {@code alto-resource}, so a bundle cannot pass for another resource.
     */
    public Verdict verify(ResponseVerifier verifier) {
        return verify(verifier, path());
    }

    /** Verifies the bundle as the answer for {@code path} (null: whatever resource it names). */
    public Verdict verify(ResponseVerifier verifier, String path) {
        requireNonNull(verifier, "verifier");
        return verifier.verify(this::field, body.unsafeArray(), new ResponseVerifier.Expectation(path, null));
    }

    /**
     * What a server holds to serve this bundle as if it had fetched it: one identity variant with
     * the signed fields (and {@code alto-derived-from}), valid from the signature's {@code created}
     * to its {@code expires}, with the freshness lifetime the bundle's {@code cache-control} gives
     * a shared cache, which a server of it is: {@code s-maxage} over {@code max-age}, 0 without
     * either ({@link SharedFreshness#maxAge}, as a pull proxy reads the same response fetched), and
     * the revalidation it asks of one ({@link SharedFreshness#revalidation}: a bundle kept from a
     * response that said {@code must-revalidate} is served saying it, without stale windows).
     * The bundle verifies itself with {@code verifier} (as {@link #verify(ResponseVerifier)}:
     * for the resource it names), so no representation is ever made of bytes nobody verified.
     *
     * @throws IllegalArgumentException when the bundle does not verify ({@code OUTCOME: reason}), is
     *                                  the answer to a query (a POST, which no GET can be served
     *                                  from), or has a content-coded body: its signature covers the
     *                                  coded bytes, so it could not answer a request that does not
     *                                  accept the coding
     */
    public Representation representation(ResponseVerifier verifier) {
        return verified(verifier).representation();
    }

    /**
     * {@link #representation}, as the {@link VerifiedRepresentation} its one verification made
     * (the fields served, over which every verifier after this one checks it, and the body), for
     * the resource the bundle names: what a node holds without verifying it again.
     *
     * @throws IllegalArgumentException as {@link #representation} does
     */
    public VerifiedRepresentation verified(ResponseVerifier verifier) {
        requireNonNull(verifier, "verifier");
        String coding = field("content-encoding");
        if (coding != null && !coding.equalsIgnoreCase("identity")) {
            throw new IllegalArgumentException("content-encoding: " + coding
                    + " (expected: none; fetch the bundle without --gzip to serve it)");
        }
        String path = path();
        if (path == null) { // no resource named, so none verifies: said as the verifier says it
            Verdict v = verify(verifier);
            throw new IllegalArgumentException(v.outcome() + ": " + v.reason());
        }
        List<HeaderField> served = new ArrayList<>();
        for (HeaderField f : fields) {
            if (SERVED.contains(f.name())) {
                served.add(f);
            }
        }
        String cacheControl = field("cache-control");
        VerifiedRepresentation.Check c = VerifiedRepresentation.verify(verifier, path, new Variant(body, null, served),
                () -> null, SharedFreshness.maxAge(cacheControl), null, SharedFreshness.revalidation(cacheControl));
        if (c instanceof VerifiedRepresentation.Refused no) {
            throw new IllegalArgumentException(no.outcome() + ": " + no.reason());
        }
        if (AltoResource.parse(field(AltoResource.HEADER)).inputDigest() != null) {
            throw new IllegalArgumentException("the answer to a query (POST " + path
                    + "): only GET resources can be served from a bundle");
        }
        return ((VerifiedRepresentation.Verified) c).copy();
    }

    /** The file's bytes. */
    public byte[] toBytes() {
        StringBuilder head = new StringBuilder(512).append(STATUS_LINE).append("\r\n");
        for (HeaderField f : fields) {
            head.append(f.name()).append(": ").append(f.value()).append("\r\n");
        }
        head.append("content-length: ").append(body.length()).append("\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length() + body.length());
        out.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body.unsafeArray());
        return out.toByteArray();
    }

    /**
     * Writes the file so that it appears whole or not at all, and stays whole after a crash
     * ({@link AtomicFiles}: a temporary file beside it, forced to the disk, then renamed over it),
     * with the permissions any new file of the process gets ({@code rw-r--r--} under umask 022),
     * so that a proxy running as another user can seed it.
     */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, toBytes());
    }

    /** Parses a bundle file's bytes, strictly (see {@link BundleParser}). */
    public static SignedBundle parse(byte[] file) throws MalformedBundleException {
        return BundleParser.parse(requireNonNull(file, "file"));
    }

    /**
     * Reads at most {@code maxBytes} from {@code in} and parses them; a longer input is refused
     * without reading more than one byte past the limit.
     */
    public static SignedBundle read(InputStream in, long maxBytes) throws IOException, MalformedBundleException {
        requireNonNull(in, "in");
        if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: 1 to " + (Integer.MAX_VALUE - 16)
                    + ")");
        }
        byte[] file = in.readNBytes((int) maxBytes + 1);
        if (file.length > maxBytes) {
            throw new MalformedBundleException("larger than " + maxBytes + " bytes (the limit for a bundle)");
        }
        return parse(file);
    }

    /** Reads and parses the bundle in {@code file}, refusing one larger than {@code maxBytes}. */
    public static SignedBundle read(Path file, long maxBytes) throws IOException, MalformedBundleException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, maxBytes);
        }
    }
}
