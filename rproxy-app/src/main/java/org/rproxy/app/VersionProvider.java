package org.rproxy.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import picocli.CommandLine.IVersionProvider;

/**
 * What {@code -V}/{@code --version} prints, on every subcommand: the project version that Maven
 * wrote into {@code version.properties} at build time (so it is right in the runnable jar, in the
 * release archive's {@code lib/} and when run from classes alike), and the Java runtime, which is
 * the first thing an operator asks about a JVM daemon. Runs on the command's thread.
 */
final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {
                "rproxy " + version(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                        + System.getProperty("java.home") + ")"
        };
    }

    /** The version this build was made as, e.g. {@code 0.1.0-SNAPSHOT}. */
    static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("version.properties is missing from the build");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
