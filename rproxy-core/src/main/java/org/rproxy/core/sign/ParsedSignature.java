package org.rproxy.core.sign;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.rproxy.core.model.Bytes;

/**
 * One ALTO signature taken apart ({@link AltoSignatures}: {@code alto}, or {@code alto-N} beside
 * it): the members of Signature-Input and Signature for its label, the covered component values
 * looked up in the response, and the parsed {@code alto-resource}. Everything that makes it
 * unusable is reported as a {@link StructuredFieldException} whose message is the reason; {@link
 * ResponseVerifier} turns that into {@code MALFORMED}. Runs on the verifying thread; immutable.
 */
record ParsedSignature(List<SignatureBase.Component> components, String signatureParams, Instant created,
                       Instant expires, String keyId, String alg, Bytes signature, AltoResource resource,
                       String contentDigest) {

    ParsedSignature {
        components = List.copyOf(components);
    }

    static ParsedSignature parse(String label, Object inputMember, Object signatureMember,
                                 Function<String, String> header) {
        if (!(inputMember instanceof StructuredFields.InnerList list)) {
            throw malformed("signature-input '" + label + "' is not an inner list");
        }
        if (!(signatureMember instanceof StructuredFields.Item sigItem) || !(sigItem.value() instanceof Bytes sig)) {
            throw malformed("signature '" + label + "' is not a byte sequence");
        }
        List<SignatureBase.Component> components = components(list, header);
        Map<String, Object> p = list.params();
        long created = integer(p, "created");
        long expires = integer(p, "expires");
        if (expires <= created) {
            throw malformed("expires " + expires + " is not after created " + created);
        }
        String keyId = string(p, "keyid");
        String alg = string(p, "alg");
        if (!SignatureHeaders.TAG.equals(string(p, "tag"))) {
            throw malformed("tag is not \"" + SignatureHeaders.TAG + "\"");
        }
        AltoResource resource;
        try {
            resource = AltoResource.parse(header.apply(AltoResource.HEADER));
        } catch (IllegalArgumentException e) {
            throw malformed(e.getMessage());
        }
        return new ParsedSignature(components, StructuredFields.serializeInnerList(list),
                Instant.ofEpochSecond(created), Instant.ofEpochSecond(expires), keyId, alg, sig, resource,
                header.apply(SignatureHeaders.CONTENT_DIGEST));
    }

    private static List<SignatureBase.Component> components(StructuredFields.InnerList list,
                                                            Function<String, String> header) {
        List<SignatureBase.Component> out = new ArrayList<>(list.items().size());
        Set<String> names = new HashSet<>();
        for (StructuredFields.Item item : list.items()) {
            if (!(item.value() instanceof String name) || !item.params().isEmpty()) {
                throw malformed("covered component " + StructuredFields.serializeItem(item)
                        + " is not a plain component name");
            }
            if (name.startsWith("@")) {
                throw malformed("covered component \"" + name + "\": a derived component is not supported"
                        + " (an ALTO signature covers header fields)");
            }
            if (!names.add(name)) {
                throw malformed("covered component \"" + name + "\" is covered twice");
            }
            if (!name.equals(name.toLowerCase(Locale.ROOT))) {
                // RFC 9421 §2.1: a field's component name is its name in lower case; looked up as
                // it is, the field was reported missing from a response that has it
                throw malformed("covered component " + StructuredFields.serializeString(name)
                        + " is not in lower case (RFC 9421 §2.1: a field is covered by its name in lower case)");
            }
            String value = header.apply(name);
            if (value == null) {
                throw malformed("covered component \"" + name + "\" is missing from the response");
            }
            try {
                out.add(new SignatureBase.Component(name, value));
            } catch (IllegalArgumentException e) {
                throw malformed("covered component: " + e.getMessage());
            }
        }
        for (String required : SignatureHeaders.COVERED) {
            if (!names.contains(required)) {
                throw malformed("signature does not cover \"" + required + "\"");
            }
        }
        return out;
    }

    private static long integer(Map<String, Object> params, String name) {
        if (!(params.get(name) instanceof Long v) || v < 0) {
            throw malformed("parameter " + name + " is missing or not a non-negative integer");
        }
        return v;
    }

    private static String string(Map<String, Object> params, String name) {
        if (!(params.get(name) instanceof String v)) {
            throw malformed("parameter " + name + " is missing or not a string");
        }
        return v;
    }

    private static StructuredFieldException malformed(String reason) {
        return new StructuredFieldException(reason);
    }
}
