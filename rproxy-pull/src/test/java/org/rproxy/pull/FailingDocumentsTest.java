package org.rproxy.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * {@link FailingDocuments}: the upstream fails as a whole only when a second document begins to
 * fail with nothing answered between; a document failing again, or one failing with an answer
 * between, is no sign.
 */
class FailingDocumentsTest {
    private final FailingDocuments<String> docs = new FailingDocuments<>(100);

    @Test
    void aSecondDocumentBeginningToFailWithNothingAnsweredBetweenNamesTheFirst() {
        docs.answered("/a");
        assertEquals(List.of(), docs.began("/b"), "the first fails on its own");
        assertEquals(List.of("/b"), docs.began("/c"));
        assertTrue(docs.failing("/b") && docs.failing("/c"), "both remembered: what follows is the caller's");
    }

    @Test
    void anAnswerBetweenMakesTheNextDocumentFailOnItsOwn() {
        docs.began("/b");
        docs.answered("/a");
        assertEquals(List.of(), docs.began("/c"));
        assertEquals(List.of("/c"), docs.began("/d"), "only those begun since the last answer");
    }

    @Test
    void anAnsweredDocumentFailsNoMore() {
        docs.began("/b");
        docs.answered("/b");
        assertFalse(docs.failing("/b"));
        assertEquals(List.of(), docs.began("/c"), "/b's answer came between");
    }

    @Test
    void aDocumentFailingAnywayIsNeverASign() {
        assertTrue(docs.failingAnyway("/b"));
        assertFalse(docs.failingAnyway("/b"), "told once");
        assertTrue(docs.failing("/b"));
        assertEquals(List.of(), docs.began("/c"));
    }

    @Test
    void forgottenDocumentsAreNoSign() {
        docs.began("/b");
        docs.began("/c");
        docs.forget("/b");
        docs.forgetIf("/c"::equals);
        assertEquals(0, docs.size());
        assertEquals(List.of(), docs.began("/d"));
    }

    @Test
    void pastTheBoundADocumentIsStillJudgedButNotRemembered() {
        FailingDocuments<String> two = new FailingDocuments<>(2);
        two.began("/a");
        two.began("/b");
        assertEquals(List.of("/a", "/b"), two.began("/c").stream().sorted().toList());
        assertFalse(two.failing("/c"), "not remembered");
        assertEquals(2, two.size());
    }
}
