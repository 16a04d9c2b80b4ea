/**
 * What the shipped Logback configurations ({@code conf/logback.xml}, {@code conf/logback-json.xml})
 * load: the levels the environment sets ({@code LevelSettings}) and a filter that drops only the
 * two known stack traces bt logs when an overlay peer stops under it ({@code BtShutdownFilter}).
 *
 * <p>Must drop nothing else: a filter here hides only what is known to be harmless.
 */
package org.rproxy.app.logging;
