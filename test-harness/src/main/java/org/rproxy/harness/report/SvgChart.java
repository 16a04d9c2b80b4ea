package org.rproxy.harness.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * A line chart as inline SVG: axes with a few round ticks, one polyline per series, a legend.
 * No script, no external style: the report opens anywhere, offline.
 */
final class SvgChart {
    private static final int W = 720;
    private static final int H = 300;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 30;
    private static final int BOTTOM = 45;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"};

    /** One line: a name and y values, one per x. */
    record Series(String name, double[] ys) {
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final double[] xs;
    private final List<Series> series = new ArrayList<>();
    private DoubleFunction<String> xTickLabel = SvgChart::number;
    private double[] xTicks;

    SvgChart(String title, String xLabel, String yLabel, double[] xs) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.xs = xs.clone();
    }

    SvgChart add(String name, double[] ys) {
        series.add(new Series(name, ys.clone()));
        return this;
    }

    /** Fixed x ticks with their own labels (for the percentile axis). */
    SvgChart xTicks(double[] ticks, DoubleFunction<String> label) {
        this.xTicks = ticks.clone();
        this.xTickLabel = label;
        return this;
    }

    String render() {
        double xMin = xs.length == 0 ? 0 : min(xs);
        double xMax = xs.length == 0 ? 1 : Math.max(max(xs), xMin + 1e-9);
        double yMax = 0;
        for (Series s : series) {
            yMax = Math.max(yMax, s.ys.length == 0 ? 0 : max(s.ys));
        }
        yMax = niceCeiling(yMax);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">%n", W, H, W, H));
        b.append(String.format(Locale.ROOT, "<title>%s</title>%n", Html.escape(title)));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>%n", LEFT, Html.escape(title)));
        axes(b, xMin, xMax, yMax);
        for (int i = 0; i < series.size(); i++) {
            polyline(b, series.get(i), COLOURS[i % COLOURS.length], xMin, xMax, yMax);
            legend(b, series.get(i).name, COLOURS[i % COLOURS.length], i);
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private void axes(StringBuilder b, double xMin, double xMax, double yMax) {
        int x0 = LEFT;
        int y0 = H - BOTTOM;
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n", x0, y0, W - RIGHT, y0));
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n", x0, TOP, x0, y0));
        for (int i = 0; i <= 4; i++) {
            double v = yMax * i / 4;
            double y = sy(v, yMax);
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", x0, y, W - RIGHT, y));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>%n", x0 - 5, y + 4, number(v)));
        }
        double[] ticks = xTicks != null ? xTicks : new double[] {xMin, xMin + (xMax - xMin) / 4, xMin + (xMax - xMin) / 2,
                xMin + 3 * (xMax - xMin) / 4, xMax};
        for (double t : ticks) {
            double x = sx(t, xMin, xMax);
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>%n", x, y0 + 16, Html.escape(xTickLabel.apply(t))));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s</text>%n", (x0 + W - RIGHT) / 2, H - 8, Html.escape(xLabel)));
        b.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">%s</text>%n", (TOP + y0) / 2, (TOP + y0) / 2, Html.escape(yLabel)));
    }

    private void polyline(StringBuilder b, Series s, String colour, double xMin, double xMax, double yMax) {
        b.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(colour).append("\" points=\"");
        int n = Math.min(xs.length, s.ys.length);
        for (int i = 0; i < n; i++) {
            b.append(String.format(Locale.ROOT, "%.1f,%.1f ", sx(xs[i], xMin, xMax), sy(s.ys[i], yMax)));
        }
        b.append("\"/>\n");
    }

    private static void legend(StringBuilder b, String name, String colour, int i) {
        int x = W - RIGHT - 150;
        int y = TOP + 8 + i * 16;
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>%n", x, y - 4, colour));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>%n", x + 16, y, Html.escape(name)));
    }

    private static double sx(double x, double xMin, double xMax) {
        return LEFT + (x - xMin) / (xMax - xMin) * (W - LEFT - RIGHT);
    }

    private static double sy(double y, double yMax) {
        return H - BOTTOM - (yMax <= 0 ? 0 : y / yMax) * (H - TOP - BOTTOM);
    }

    /** 1, 2 or 5 times a power of ten, at least {@code v}. */
    static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        return Math.abs(v) >= 10 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static double min(double[] a) {
        double m = Double.MAX_VALUE;
        for (double v : a) {
            m = Math.min(m, v);
        }
        return m;
    }

    private static double max(double[] a) {
        double m = -Double.MAX_VALUE;
        for (double v : a) {
            m = Math.max(m, v);
        }
        return m;
    }
}
