package org.rproxy.overlay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OverlayPublisherTest {

    @Test
    void onlyTheJsonDocumentsOfTheDirectoryArePublished() {
        assertTrue(OverlayPublisher.altoJson("application/alto-networkmap+json"));
        assertTrue(OverlayPublisher.altoJson("application/alto-costmap+json; charset=utf-8"));
        assertTrue(OverlayPublisher.altoJson("Application/ALTO-costmap+JSON"));
        assertFalse(OverlayPublisher.altoJson("application/xml"), "the XML dialect's view of the same resource id");
        assertFalse(OverlayPublisher.altoJson("text/xml; charset=utf-8"));
        assertFalse(OverlayPublisher.altoJson(""));
    }
}
