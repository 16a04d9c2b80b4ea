package org.rproxy.core.config;

import java.util.Locale;

/**
 * A number of bytes as operators write it: {@code 1048576}, {@code 512KB}, {@code 256MB},
 * {@code 2GB} (binary multiples: 1 KB = 1024 bytes; {@code KiB}, {@code MiB}, {@code GiB} mean
 * the same).
 *
 * @param bytes the size, positive
 */
public record ByteSize(long bytes) {

    public ByteSize {
        if (bytes <= 0) {
            throw new IllegalArgumentException(bytes + " bytes (expected: > 0)");
        }
    }

    public static ByteSize ofBytes(long bytes) {
        return new ByteSize(bytes);
    }

    public static ByteSize ofMegabytes(long mb) {
        return new ByteSize(Math.multiplyExact(mb, 1L << 20));
    }

    /**
     * @throws IllegalArgumentException {@code "'12QB' is not a size (expected e.g. 256MB, 512KB, 2GB)"}
     */
    public static ByteSize parse(String text) {
        String v = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace("IB", "B");
        long unit = 1;
        String digits = v;
        if (v.endsWith("KB")) {
            unit = 1L << 10;
        } else if (v.endsWith("MB")) {
            unit = 1L << 20;
        } else if (v.endsWith("GB")) {
            unit = 1L << 30;
        } else if (v.endsWith("TB")) {
            unit = 1L << 40;
        } else if (v.endsWith("B")) {
            digits = v.substring(0, v.length() - 1);
        }
        if (unit > 1) {
            digits = v.substring(0, v.length() - 2);
        }
        try {
            long n = Long.parseLong(digits.trim());
            if (n > 0) {
                return new ByteSize(Math.multiplyExact(n, unit));
            }
        } catch (ArithmeticException | NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + text + "' is not a size (expected e.g. 256MB, 512KB, 2GB)");
    }

    @Override
    public String toString() {
        for (String u : new String[] {"TB", "GB", "MB", "KB"}) {
            long unit = switch (u) {
                case "TB" -> 1L << 40;
                case "GB" -> 1L << 30;
                case "MB" -> 1L << 20;
                default -> 1L << 10;
            };
            if (bytes % unit == 0) {
                return bytes / unit + u;
            }
        }
        return Long.toString(bytes);
    }
}
