package org.rproxy.origin;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.rproxy.core.codec.xml.XmlCodec;
import org.rproxy.core.model.MapSet;
import org.rproxy.core.server.UpdateStreamMount;
import org.rproxy.core.store.Representation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signed version of its documents an {@link Origin} serves, and the three ways it changes:
 * new maps (a whole set, or a reload in which some document's bytes changed), changed keys (a
 * new directory and capability listing them, every document signed with the signing key), and
 * re-signing. Each version is handed to the query service, then to the update stream if one is
 * mounted. Changes run on the origin's publisher thread; readers on any thread see the last
 * version whole.
 */
final class SignedVersions {
    private static final Logger log = LoggerFactory.getLogger(Origin.class);

    private final OriginConfig config;
    private final OriginService service;
    private final UpdateStreamMount stream;
    private final XmlCodec xml = new XmlCodec();
    private volatile OriginKeys keys;
    private volatile DocumentSigner signer;
    private volatile Catalog catalog;
    /** What {@link #catalog} is served as: its documents signed. */
    private volatile Map<String, Representation> signed = Map.of();
    /** Why the last change of keys failed, while it keeps failing; null otherwise. */
    private String rotationFailure;
    /** When each version is created, a second after the last at least. */
    private final SigningTimes signingTimes;
    /** Where the origin is reached, named in its capability; set once the server is bound. */
    private String serverUri;
    /** The signing time of each document served, on the origin's /metrics. */
    private final ServedVersionMeters meters;

    /** @param stream the update stream mounted, or null */
    SignedVersions(OriginConfig config, OriginKeys keys, Clock clock, OriginService service, UpdateStreamMount stream,
            ServedVersionMeters meters) {
        this.config = requireNonNull(config, "config");
        this.meters = requireNonNull(meters, "meters");
        this.signingTimes = new SigningTimes(requireNonNull(clock, "clock"));
        this.service = requireNonNull(service, "service");
        this.stream = stream;
        useKeys(keys);
    }

    private void useKeys(OriginKeys next) {
        keys = next;
        signer = DocumentSigner.of(next, config.validity(), config.maxAge());
    }

    /** Builds the catalog for {@code maps}, reached at {@code serverUri}, signs every document and swaps it in. */
    void publish(MapSet maps, String serverUri) {
        this.serverUri = serverUri;
        publish(maps);
    }

    private void publish(MapSet maps) {
        Catalog c = catalogOf(maps);
        install(c, signer.signAll(c.documents(), signingTime()));
    }

    /** When the next version is signed: {@link SigningTimes#next}. */
    private Instant signingTime() {
        return signingTimes.next();
    }

    /**
     * A reloaded folder becomes a new version only when some document's bytes changed. Returns
     * false when the change is refused (the previous version stays), true when it is served.
     */
    boolean publishChange(MapSet maps) {
        try {
            Catalog before = catalog;
            Catalog after = catalogOf(maps);
            if (before.sameDocumentsAs(after)) {
                return true;
            }
            String kept = after.vtagKeptWithNewBytes(before);
            if (kept != null) {
                log.error("maps folder changed: {} changed but keeps its vtag, which names the version served now "
                        + "(change meta/vtag/tag with every edit, or leave it out); the previous version stays", kept);
                return false;
            }
            Map<String, Representation> now = signer.signChanged(after.documents(), before.documents(), signed,
                    signingTime());
            long changed = now.entrySet().stream().filter(e -> e.getValue() != signed.get(e.getKey())).count();
            install(after, now);
            log.info("maps folder changed: published a new version of {} of {} documents", changed,
                    after.documents().size());
            return true;
        } catch (RuntimeException e) {
            log.error("publishing the changed maps failed; the previous version stays", e);
            return false;
        }
    }

    /**
     * Keys changed in the keys file are published at once and every document is signed again
     * with the signing key; nothing when {@code reload} found no change. When that fails, the keys
     * in use stay whole (signing key and keys listed together) and the change is tried again at
     * the next poll: a signing key switched without the directory listing it would sign what
     * clients, having learnt their keys from the directory, refuse.
     */
    void rotateSafely(KeysReload reload) {
        OriginKeys next = reload.poll();
        if (next == null) {
            return;
        }
        OriginKeys inUse = keys;
        DocumentSigner inUseSigner = signer;
        try {
            useKeys(next);
            publish(catalog.maps());
            rotationFailure = null;
            log.info("keys changed: signing with keyid {}, publishing {}", keyId(), publishedKeyIds());
        } catch (RuntimeException e) {
            keys = inUse;
            signer = inUseSigner;
            reload.notApplied(inUse);
            String why = String.valueOf(e);
            if (why.equals(rotationFailure)) {
                log.debug("applying the changed keys failed again", e);
            } else {
                rotationFailure = why;
                log.error("applying the changed keys failed; signing with keyid {} and publishing {} as before, "
                        + "trying again at the next read of the keys file", keyId(), publishedKeyIds(), e);
            }
        }
    }

    /**
     * Signs every document served again. What it throws is the caller's ({@link Resigning}) to
     * log and retry; the previous signatures stay until they expire.
     */
    void resign() {
        Catalog c = catalog;
        install(c, signer.signAll(c.documents(), signingTime()));
        log.debug("re-signed {} documents", c.documents().size());
    }

    /** When the first of the signatures served now expires, or null before the first version. */
    Instant earliestExpiry() {
        Instant first = null;
        for (Representation r : signed.values()) {
            if (first == null || r.expires().isBefore(first)) {
                first = r.expires();
            }
        }
        return first;
    }

    /**
     * Serves {@code signed} and tells the update stream, if one is mounted. The answers are built
     * first: a set they refuse changes nothing, so the catalog being re-signed stays the one served.
     */
    private void install(Catalog c, Map<String, Representation> signed) {
        service.install(c, signed, config.maxAge());
        this.catalog = c;
        this.signed = signed;
        meters.show(signed);
        if (stream != null) {
            try {
                stream.installed(Map.copyOf(signed));
            } catch (RuntimeException e) {
                log.error("the update stream refused the new documents", e);
            }
        }
    }

    /** The documents {@code maps} make with the keys, proxies and stream published now. */
    private Catalog catalogOf(MapSet maps) {
        return new Catalog(maps, keys.jwks(), config.proxies(), config.instanceName(), serverUri, xml,
                stream == null ? null : stream.path(), config.overlay());
    }

    /** The catalog served now, or null before the first version. */
    Catalog catalog() {
        return catalog;
    }

    String keyId() {
        return keys.signing().publicKey().keyId();
    }

    List<String> publishedKeyIds() {
        return keys.keyIds();
    }
}
