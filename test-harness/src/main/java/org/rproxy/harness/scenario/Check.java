package org.rproxy.harness.scenario;

import static java.util.Objects.requireNonNull;

/**
 * One line of a scenario's verdict table.
 *
 * @param name     what is checked
 * @param expected the condition, in words ({@code 0}, {@code <= 5}, {@code reported})
 * @param measured what the run measured
 * @param verdict  the outcome
 */
public record Check(String name, String expected, String measured, Verdict verdict) {
    /** PASS and FAIL decide the exit code; INFO lines report without judging; NOT_RUN when a part could not run. */
    public enum Verdict { PASS, FAIL, INFO, NOT_RUN }

    public Check {
        requireNonNull(name, "name");
        requireNonNull(expected, "expected");
        requireNonNull(measured, "measured");
        requireNonNull(verdict, "verdict");
    }

    static Check of(String name, String expected, String measured, boolean pass) {
        return new Check(name, expected, measured, pass ? Verdict.PASS : Verdict.FAIL);
    }

    static Check info(String name, String measured) {
        return new Check(name, "reported", measured, Verdict.INFO);
    }

    static Check notRun(String name, String why) {
        return new Check(name, "runs", why, Verdict.NOT_RUN);
    }

    boolean failed() {
        return verdict == Verdict.FAIL || verdict == Verdict.NOT_RUN;
    }
}
