/**
 * A run's report: {@code report.json}, a self-contained {@code report.html} with inline SVG
 * charts, and the plain-text summary table.
 *
 * <p>Renders what a run measured; measures nothing itself.
 */
package org.rproxy.harness.report;
