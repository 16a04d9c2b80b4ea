package org.rproxy.core.model.archfixture;

import io.netty.buffer.ByteBuf;

import org.rproxy.core.codec.Jcs;
import org.rproxy.pull.PullProxy;

/**
 * Forbidden imports for {@code ArchitectureRulesTest}: a model class holding a Netty buffer,
 * calling a codec, and core reaching into a feed. Never run.
 */
final class ModelImportingNettyAndPull {
    ByteBuf buffer;
    PullProxy proxy;

    byte[] canonical(Object json) {
        return Jcs.class.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
