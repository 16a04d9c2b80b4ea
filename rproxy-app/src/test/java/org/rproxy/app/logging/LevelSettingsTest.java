package org.rproxy.app.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;

import org.junit.jupiter.api.Test;

class LevelSettingsTest {

    @Test
    void aLevelLogbackDoesNotKnowIsAProblemNamingTheVariable() {
        assertEquals("RPROXY_LOG_LEVEL: 'bogus' is not a log level (expected: one of OFF, ERROR, WARN, INFO, DEBUG,"
                + " TRACE, ALL)", LevelSettings.problem(n -> null, Map.of("RPROXY_LOG_LEVEL", "bogus")::get));
        assertEquals("RPROXY_ACCESS_LOG: '' is not a log level (expected: one of OFF, ERROR, WARN, INFO, DEBUG, TRACE,"
                + " ALL)", LevelSettings.problem(n -> null, Map.of("RPROXY_ACCESS_LOG", "")::get));
        assertEquals("rproxy.log.level: 'verbose' is not a log level (expected: one of OFF, ERROR, WARN, INFO, DEBUG,"
                + " TRACE, ALL)", LevelSettings.problem(Map.of("rproxy.log.level", "verbose")::get, n -> null));
    }

    @Test
    void levelsInAnyCaseAndNothingSetAreFine() {
        assertNull(LevelSettings.problem(n -> null, n -> null));
        assertNull(LevelSettings.problem(Map.of("rproxy.log.level", "debug")::get,
                Map.of("RPROXY_LOG_LEVEL", "WARN", "RPROXY_ACCESS_LOG", "Info")::get));
    }

    @Test
    void aSystemPropertyIsLookedUpBeforeTheEnvironmentAsLogbackDoes() {
        assertNull(LevelSettings.problem(Map.of("RPROXY_LOG_LEVEL", "INFO")::get, Map.of("RPROXY_LOG_LEVEL", "bogus")::get));
    }
}
