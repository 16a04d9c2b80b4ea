package org.rproxy.core.concurrent;

import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;

/** A dependent stage's failure is told by what the stage it depends on failed with. */
class CompletionsTest {

    @Test
    void aDependentStageSeesTheFailureItself() {
        IOException refused = new IOException("refused");
        Throwable[] seen = new Throwable[1];
        CompletableFuture.failedFuture(refused).thenApply(x -> x).whenComplete((x, f) -> seen[0] = f);
        assertSame(refused, Completions.cause(seen[0]));
        assertSame(refused, Completions.cause(refused));
        CompletionException bare = new CompletionException("no cause", null);
        assertSame(bare, Completions.cause(bare));
    }
}
