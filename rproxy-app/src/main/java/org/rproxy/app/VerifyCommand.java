package org.rproxy.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.rproxy.core.bundle.MalformedBundleException;
import org.rproxy.core.bundle.SignedBundle;
import org.rproxy.core.config.ByteSize;
import org.rproxy.core.config.IoProblems;
import org.rproxy.core.sign.ResponseVerifier;
import org.rproxy.core.sign.Verdict;
import org.rproxy.core.sign.VerificationKey;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rproxy verify}: checks a signed bundle ({@code rproxy fetch -o}) offline, with nothing
 * but the origin's public key: no URL (the bundle names its resource, and the signature covers
 * that name) and no network. By default "now" is the wall clock, so an expired bundle fails as
 * expired, like an expired response would; {@code --at} and {@code --allow-expired} are for
 * archives and audits. Runs once, on the main thread.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Verify a signed bundle written by `rproxy fetch -o FILE`, offline.",
                "Prints one line: VALID, or INVALID with the file and the reason.",
                "An expired bundle is INVALID (EXPIRED) unless --at names a time within its validity or"
                        + " --allow-expired is given."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:VALID", "1:INVALID: malformed, tampered, not signed by a trusted key, expired...",
                "2:usage error, or the file cannot be read"})
final class VerifyCommand implements Callable<Integer> {
    /** The largest bundle read (into one array). */
    private static final long MAX_SIZE = Integer.MAX_VALUE - 16;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The bundle ('-' for stdin).")
    Path file;

    @Option(names = "--trust", required = true, paramLabel = "PUBFILE",
            description = "Origin public key (SPKI PEM). Repeat for several keys.")
    List<Path> trust = new ArrayList<>();

    @Option(names = "--path", paramLabel = "PATH",
            description = "Also require the bundle to answer this path (and query), e.g. /networkmap/default-network-map.")
    String path;

    @Option(names = "--max-size", defaultValue = "" + SignedBundle.DEFAULT_MAX_BYTES, paramLabel = "SIZE",
            converter = OptionConverters.SizeConverter.class,
            description = "Refuse a bundle larger than this, e.g. 256MB (default ${DEFAULT-VALUE} bytes: 64MB of body"
                    + " and 64KB of fields).")
    ByteSize maxSize;

    @ArgGroup(exclusive = true)
    When when;

    /** Either a moment to verify at, or leave expiry out; never both. */
    static final class When {
        @Option(names = "--at", paramLabel = "TIME",
                description = "Verify as of TIME (ISO-8601, e.g. 2026-12-03T15:00:00Z) instead of now.")
        Instant at;

        @Option(names = "--allow-expired",
                description = "Accept a bundle whose signature has expired (still checks everything else), saying so.")
        boolean allowExpired;
    }

    @Override
    public Integer call() throws Exception {
        if (maxSize.bytes() > MAX_SIZE) {
            throw new IllegalArgumentException("--max-size: " + maxSize + " (expected: < 2GB)");
        }
        List<VerificationKey> keys = new ArrayList<>();
        for (Path p : trust) {
            keys.add(VerificationKey.readPem(p));
        }
        PrintWriter out = spec.commandLine().getOut();
        SignedBundle bundle;
        try {
            bundle = file.toString().equals("-") ? SignedBundle.read(System.in, maxSize.bytes())
                    : SignedBundle.read(file, maxSize.bytes());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file", e);
        } catch (MalformedBundleException e) {
            out.println(FetchOutcome.INVALID.word() + " " + file + ": not a signed bundle: " + e.getMessage());
            out.flush();
            return FetchOutcome.INVALID.exitCode();
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read it (" + IoProblems.reason(e) + ")", e);
        }
        Instant now = when != null && when.at != null ? when.at : Instant.now();
        Verdict verdict = bundle.verify(new ResponseVerifier(keys, Clock.fixed(now, ZoneOffset.UTC)), expectedPath(bundle));
        String note = "";
        if (verdict.outcome() == Verdict.Outcome.EXPIRED && when != null && when.allowExpired) {
            // Everything but expiry is checked again at the moment of signing.
            verdict = bundle.verify(new ResponseVerifier(keys, Clock.fixed(verdict.created(), ZoneOffset.UTC)),
                    expectedPath(bundle));
            note = " EXPIRED (accepted: --allow-expired)";
        }
        if (!verdict.valid()) {
            out.println(FetchOutcome.INVALID.word() + " " + file + ": " + verdict.outcome() + ": " + verdict.reason());
            out.flush();
            return FetchOutcome.INVALID.exitCode();
        }
        out.println(FetchOutcome.VALID.word() + " " + verdict.resource().id()
                + " path=" + verdict.resource().path()
                + " version=" + (bundle.field("etag") == null ? "-" : bundle.field("etag"))
                + " keyid=" + verdict.keyId()
                + " created=" + verdict.created()
                + " expires=" + verdict.expires()
                + (note.isEmpty() ? " (in " + FetchCommand.human(Duration.between(now, verdict.expires())) + ")" : note)
                + (when != null && when.at != null ? " as of " + now : ""));
        out.flush();
        return FetchOutcome.VALID.exitCode();
    }

    private String expectedPath(SignedBundle bundle) {
        return path != null ? path : bundle.path();
    }
}
