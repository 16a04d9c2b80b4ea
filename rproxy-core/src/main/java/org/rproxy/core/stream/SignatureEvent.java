package org.rproxy.core.stream;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.rproxy.core.codec.Jcs;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.SignatureBase;
import org.rproxy.core.store.HeaderField;
import org.rproxy.core.store.Representation;

/**
 * This project's extension event: the signed header fields of a representation, sent after every
 * data update and alone for a signature renewal (same bytes, new signatures). Its event type is
 * {@value #MEDIA_TYPE}{@code ,<substream-id>}; its data, in RFC 8785 form:
 *
 * <pre>{@code {"gzip":{...},"identity":{"alto-resource":"...","content-digest":"...","content-type":"...",
 *  "etag":"...","signature":"...","signature-input":"..."},"max-age":60}}</pre>
 *
 * {@code identity} holds the fields of the uncompressed variant, {@code gzip} (absent when there
 * is none) those of the gzip variant, {@code content-encoding} included. {@code max-age} is the
 * origin's {@code Cache-Control} lifetime in whole seconds (not signed, like the header it stands
 * for). {@code revalidate} ({@value #REVALIDATE}), present only when the representation's
 * {@code Cache-Control} says {@code must-revalidate} or {@code proxy-revalidate}, is that
 * directive ({@link Representation#revalidation}; not signed either, it only takes stale windows
 * away): a member a receiver that predates it ignores, as it ignores every top-level member it
 * does not know, so the stream stays readable by older receivers. A receiver
 * rebuilds the bytes the update describes and checks these fields against them exactly as it
 * checks an HTTP response. Immutable.
 */
public record SignatureEvent(List<HeaderField> identity, List<HeaderField> gzip, long maxAgeSeconds,
                             Representation.Revalidation revalidation) {

    public static final String MEDIA_TYPE = "application/alto-redist-signature+json";

    /**
     * The largest {@code max-age} taken, as RFC 9111 §1.2.2 has a cache take any larger
     * delta-seconds: an upstream's event is not signed there, and a lifetime near
     * {@code Long.MAX_VALUE} overflowed every sum of it with a time (a push proxy's pull half
     * threw "long overflow" serving such a copy).
     */
    public static final long MAX_DELTA_SECONDS = 1L << 31;

    /** The top-level member that carries a revalidation directive. */
    public static final String REVALIDATE = "revalidate";

    /** The header fields carried, in the order a variant lists them. */
    public static final List<String> FIELDS = List.of("content-type", "content-encoding", "content-digest", "etag",
            "alto-resource", "signature-input", "signature");

    public SignatureEvent {
        identity = List.copyOf(identity);
        gzip = gzip == null ? null : List.copyOf(gzip);
        if (maxAgeSeconds < 0) {
            throw new IllegalArgumentException("maxAgeSeconds: " + maxAgeSeconds + " (expected: >= 0)");
        }
        requireNonNull(revalidation, "revalidation");
    }

    /** An event with no revalidation directive: caches may serve stale within the windows. */
    public SignatureEvent(List<HeaderField> identity, List<HeaderField> gzip, long maxAgeSeconds) {
        this(identity, gzip, maxAgeSeconds, Representation.Revalidation.NONE);
    }

    public static SignatureEvent of(Representation r) {
        return new SignatureEvent(signed(r.identity().headers()),
                r.gzip() == null ? null : signed(r.gzip().headers()), r.maxAgeSeconds(), r.revalidation());
    }

    /**
     * The fields of {@link #FIELDS} in {@code headers}, each as one value: several lines of a name
     * joined with {@code ", "} ({@link #get}), as the verifier that took the variant read them. A
     * pull proxy keeps an upstream's lines as they came; its first {@code signature} line alone
     * may hold another signature than the origin's (one added on the way), and an event carrying
     * only that line was refused downstream ("Signature has no member 'alto'") although the copy
     * it was made from verified.
     */
    private static List<HeaderField> signed(List<HeaderField> headers) {
        List<HeaderField> out = new ArrayList<>();
        for (String name : FIELDS) {
            String value = get(headers, name);
            if (value != null) {
                out.add(new HeaderField(name, value));
            }
        }
        return out;
    }

    /**
     * True when {@code a} and {@code b} (header fields of a variant, in any order, others among
     * them) carry one and the same signing: a signature over the same signature base (the same
     * Signature-Input parameters and the same value of every component it covers, {@code
     * content-digest} among them; {@code content-encoding} aside, not signed), whatever the bytes
     * of their {@code Signature} fields ({@link ResponseVerifier#signedBases}: an ECDSA signature
     * has a twin, and the field may be re-encoded). An update whose identity fields are the same
     * signing as the version held repeats it: nothing in it can be new. False when either holds no
     * signature that could be checked.
     */
    public static boolean sameSigning(List<HeaderField> a, List<HeaderField> b) {
        List<SignatureBase> bases = signedBases(a);
        return !bases.isEmpty() && bases.equals(signedBases(b));
    }

    /**
     * True when this event and {@code other} carry the same signings ({@link #sameSigning}) of the
     * same variants, and the same {@code max-age} and revalidation directive: nothing a
     * subscriber holding one would learn from the other.
     */
    public boolean sameSigningAs(SignatureEvent other) {
        return maxAgeSeconds == other.maxAgeSeconds && revalidation == other.revalidation
                && sameSigning(identity, other.identity)
                && (gzip == null ? other.gzip == null : other.gzip != null && sameSigning(gzip, other.gzip));
    }

    private static List<SignatureBase> signedBases(List<HeaderField> fields) {
        return ResponseVerifier.signedBases(name -> name.equals("content-encoding") ? null : get(fields, name));
    }

    /**
     * The value of {@code name} in {@code fields}, several lines of it joined with {@code ", "}
     * (RFC 9110 §5.3, RFC 9421 §2.1: what a verifier reads), or null.
     */
    public static String get(List<HeaderField> fields, String name) {
        String joined = null;
        for (HeaderField h : fields) {
            if (h.name().equals(name)) {
                joined = joined == null ? h.value() : joined + ", " + h.value();
            }
        }
        return joined;
    }

    public Bytes toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("identity", fields(identity));
        if (gzip != null) {
            o.set("gzip", fields(gzip));
        }
        o.put("max-age", maxAgeSeconds);
        if (revalidation.required()) {
            o.put(REVALIDATE, revalidation.directive());
        }
        return Bytes.wrap(Jcs.canonicalize(o));
    }

    private static ObjectNode fields(List<HeaderField> headers) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        headers.forEach(h -> o.put(h.name(), h.value()));
        return o;
    }

    /** @throws IllegalArgumentException naming what is wrong with the event's data */
    public static SignatureEvent parse(Bytes data) {
        requireNonNull(data, "data");
        JsonNode root;
        try {
            root = Jcs.parse(data.unsafeArray());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("signature event: not JSON (" + e.getMessage() + ")");
        }
        if (!root.isObject() || !root.path("identity").isObject()) {
            throw new IllegalArgumentException("signature event: no identity object");
        }
        JsonNode age = root.get("max-age");
        if (age == null || !age.isIntegralNumber() || !age.canConvertToLong() || age.asLong() < 0) {
            throw new IllegalArgumentException("signature event: max-age must be a whole number of seconds >= 0");
        }
        JsonNode gz = root.get("gzip");
        if (gz != null && !gz.isObject()) {
            throw new IllegalArgumentException("signature event: gzip must be an object");
        }
        return new SignatureEvent(read(root.get("identity")), gz == null ? null : read(gz),
                Math.min(age.asLong(), MAX_DELTA_SECONDS), revalidation(root.get(REVALIDATE)));
    }

    /**
     * The directive {@code value} names: absent (or {@code null}) is none; either directive, in any case, is that
     * directive (RFC 9111 directives are case-insensitive); any other string, a directive this
     * version does not know, is taken as the strictest it knows ({@code must-revalidate}), so an
     * upstream of a later version that sends one still has its updates taken, and no copy is
     * served staler than it meant. Anything but a string is refused.
     */
    private static Representation.Revalidation revalidation(JsonNode value) {
        if (value == null || value.isNull()) {
            return Representation.Revalidation.NONE; // null is the member's absence, as JSON writers give an unset one
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("signature event: " + REVALIDATE + " must be a string such as "
                    + "\"must-revalidate\" or \"proxy-revalidate\" (was " + value + ")");
        }
        for (Representation.Revalidation r : Representation.Revalidation.values()) {
            if (r.required() && value.textValue().equalsIgnoreCase(r.directive())) {
                return r;
            }
        }
        return Representation.Revalidation.EVERY_CACHE;
    }

    /**
     * The fields of {@link #FIELDS} a variant's object holds; any other member is ignored (RFC 7285
     * §8.3.7, which the update stream's JSON follows), as the top-level members are. A field a later
     * version carries is no danger left out: one its signature covers is then missing from the
     * signature base, and the update is refused by verification, naming it. Refused instead, every
     * event of a newer upstream was, and the stream's documents stayed at the version held.
     */
    private static List<HeaderField> read(JsonNode o) {
        List<HeaderField> out = new ArrayList<>();
        for (String name : FIELDS) {
            JsonNode v = o.get(name);
            if (v != null) {
                if (!v.isTextual()) {
                    throw new IllegalArgumentException("signature event: " + name + " must be a string");
                }
                out.add(new HeaderField(name, v.textValue()));
            }
        }
        return out;
    }
}
