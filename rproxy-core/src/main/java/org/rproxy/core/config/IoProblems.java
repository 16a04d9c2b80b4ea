package org.rproxy.core.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/**
 * What a failed file operation means, in the words of a message for operators. The JDK's file
 * exceptions carry the path as their message ({@code NoSuchFileException: /etc/rproxy/k.pem}), so
 * printing the message says only the path and printing the exception names a Java class; these
 * say what happened ({@code no such file}, {@code permission denied}, {@code exists already}).
 * Stateless.
 */
public final class IoProblems {

    private IoProblems() {
    }

    /** What happened: {@code no such file}, {@code permission denied}, ..., or the system's own reason. */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "exists already";
        }
        if (e instanceof NotDirectoryException) {
            return "not a folder";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "a folder that is not empty";
        }
        if (e instanceof FileSystemLoopException) {
            return "a loop of symbolic links";
        }
        String reason = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        if (reason == null || reason.isBlank()) {
            return "input/output error";
        }
        // "Read-only file system" reads on after a colon as "read-only file system"; "GET /x ..." and "I/O ..." keep theirs
        boolean word = reason.length() > 1 && Character.isLowerCase(reason.charAt(1));
        return word ? reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1) : reason;
    }

    /** {@link #reason} of the I/O failure {@code e} wraps, or null when it is none. */
    public static String reason(Throwable e) {
        if (e instanceof IOException io) {
            return reason(io);
        }
        if (e instanceof UncheckedIOException u) {
            return reason(u.getCause());
        }
        return null;
    }

    /** {@code FILE: reason} for a failure that names its file ({@code FILE -> OTHER: reason} for two), else the reason. */
    public static String message(IOException e) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ": " + reason(e);
        }
        return reason(e);
    }
}
