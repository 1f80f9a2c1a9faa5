/**
 * Test support for this repository's suites (private, never published): a certificate made
 * at test time, one server helper over HTTP and HTTPS, one client over real sockets.
 */
export { certificate, writeCertificate } from "./certificate.mjs";
export { send } from "./client.mjs";
export { serve } from "./server.mjs";
