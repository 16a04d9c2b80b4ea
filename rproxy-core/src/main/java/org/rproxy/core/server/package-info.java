/**
 * The Netty front end every role serves through ({@code AltoHttpServer}): HTTP/1.1 and HTTP/2
 * (cleartext and TLS), request framing and its limits ({@code FrontEndConfig}), conditional GETs,
 * content coding, answer writing in parts bounded per node ({@code BodyPump},
 * {@code NodeSendBudget}), spooled bodies by {@code sendfile}, event streams for the update
 * publisher, and the access log. It calls one {@code AltoService} per node and knows nothing of
 * which feed fills what it serves.
 *
 * <p>Never blocks, parses a document, signs or verifies on an event loop ({@code ARCHITECTURE.md}
 * §5; BlockHound checks it in the tests); every buffer is released on every path.
 */
package org.rproxy.core.server;
