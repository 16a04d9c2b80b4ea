package org.rproxy.client;

import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.rproxy.core.bundle.MalformedBundleException;
import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.model.Bytes;
import org.rproxy.core.store.HeaderField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The newest directory a client with a state file verified, kept beside that file as a signed
 * bundle ({@code STATE.directory}), so that a client started while the origin cannot be reached
 * still bootstraps: the directory is what names the RProxies and the overlay that hold the maps,
 * and without it a restarted peer could ask none of them. The file vouches for nothing by itself:
 * bootstrap verifies it as it verifies the origin's answer (the pin, the signature, the expiry, and
 * no rollback against the state file), so a copy that expired or was tampered with is refused.
 * Written whole or not at all; a failed write is logged and costs only this fallback. Thread-safe.
 */
final class KeptDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(KeptDirectory.class);
    /** A directory is a few kilobytes; a file far larger is no directory this client wrote. */
    private static final long MAX_BYTES = 1024 * 1024;

    private final Path file;
    private Instant created;

    private KeptDirectory(Path file) {
        this.file = file;
    }

    /** {@return the directory kept beside {@code stateFile}, or null when the client has no state file} */
    static KeptDirectory beside(Path stateFile) {
        if (stateFile == null) {
            return null;
        }
        Path abs = stateFile.toAbsolutePath();
        return new KeptDirectory(abs.resolveSibling(abs.getFileName() + ".directory"));
    }

    /** {@return the file, as the source a directory taken from it names} */
    URI uri() {
        return file.toUri();
    }

    /**
     * Keeps a directory that verified, signed at {@code created}, unless one signed later is kept
     * (the client's threads may take directories in any order).
     */
    synchronized void keep(List<HeaderField> fields, Bytes body, Instant created) {
        if (this.created != null && !created.isAfter(this.created)) {
            return;
        }
        try {
            new SignedBundle(fields, body).write(file);
            this.created = created;
        } catch (IOException | RuntimeException e) {
            LOG.warn("the directory verified could not be kept in {} (a restart while the origin cannot be reached"
                    + " will not bootstrap from it): {}", file, e.toString());
        }
    }

    /**
     * Reads the kept directory, or nothing when none was kept.
     *
     * @throws ClientException.InvalidResponse when the file cannot be read or is no signed bundle
     */
    Optional<SignedBundle> read() {
        try {
            return Optional.of(SignedBundle.read(file, MAX_BYTES));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | MalformedBundleException e) {
            throw new ClientException.InvalidResponse(uri(), "the directory kept from an earlier run is unreadable: "
                    + e.getMessage());
        }
    }

    /** Notes that the kept file holds the directory signed at {@code created} (read back at bootstrap). */
    synchronized void read(Instant created) {
        if (this.created == null || created.isAfter(this.created)) {
            this.created = created;
        }
    }
}
