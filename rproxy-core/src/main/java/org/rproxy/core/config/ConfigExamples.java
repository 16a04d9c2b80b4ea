package org.rproxy.core.config;

import java.util.List;
import java.util.Map;

/**
 * A one-line example of the right form of a key, added to a refusal that says only what form was
 * expected: {@code admin: 19099} was refused with "admin: expected a mapping", and the operator
 * had to look elsewhere for what a mapping there holds. Sections are known by their record type
 * (wherever they sit in the file, {@code tls} under {@code listen} say), lists by their key's
 * name. The examples are the shipped configurations' forms. Stateless.
 */
final class ConfigExamples {

    /** The form of each section, as it follows its key. */
    private static final Map<Class<?>, String> SECTIONS = Map.of(
            AdminConfig.class, "{address: 127.0.0.1:9090}",
            ListenConfig.class, "{address: 0.0.0.0:8282}",
            UpstreamConfig.class, "{url: http://origin:8181, trust: [keys/origin.pub]}",
            TlsConfig.class, "{cert: conf/tls/proxy.crt, key: conf/tls/proxy.key}",
            CacheConfig.class, "{max-bytes: 256MB}",
            RefreshConfig.class, "{tick: 1s, ahead: 5s}",
            PushConfig.class, "{heartbeat: 10s, read-timeout: 20s}",
            LimitsConfig.class, "{max-endpoint-pairs: 250000}");

    /** The form of each list, by its key's name (all of them in {@code upstream}). */
    private static final Map<String, String> LISTS = Map.of(
            "urls", "[http://origin-a:8181, http://origin-b:8181]",
            "trust", "[keys/origin.pub]",
            "prefetch", "[/directory, /networkmap/default]");

    private ConfigExamples() {
    }

    /**
     * {@code " (such as KEY: FORM)"} for the key at the end of {@code path} that was to be read as
     * {@code type}, or the empty text when no example is known (the file's root, a list's item).
     */
    static String suchAs(Class<?> type, String path) {
        String key = path.substring(path.lastIndexOf('.') + 1);
        if (key.isEmpty() || key.endsWith("]")) {
            return "";
        }
        String form = SECTIONS.get(type);
        if (form == null && List.class.isAssignableFrom(type)) {
            form = LISTS.get(key);
        }
        return form == null ? "" : " (such as " + key + ": " + form + ")";
    }
}
