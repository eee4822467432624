/**
 * The HTTP pricing service ({@code ./pinn serve}): {@link pinn.runtime.service.PricingServer} puts
 * a {@link pinn.runtime.engine.PinnRuntime} behind Netty's HTTP/1.1 server (native epoll where
 * available), pricing single options and small batches on the event loops and larger work on a
 * few work threads.
 *
 * <ul>
 *   <li>{@code ServiceRoutes}: the endpoints, what each answers ({@code Outcome}: a reply now, or
 *       work deferred off the event loop), and how failures become answers;
 *   <li>{@code HttpConnection}, {@code BodyLimit}: one connection's HTTP mechanics (keep-alive,
 *       order, in-flight accounting) and its body limit with the JSON 413;
 *   <li>{@code InFlightRequests}, {@code ServerThreads}: what a drain waits for, and the server's
 *       named threads;
 *   <li>{@code PriceRequest} / {@code PriceResponse}: the JSON of {@code POST /v1/price}, read
 *       strictly with Jackson's streaming parser ({@code Json}), written by its mapper (numbers
 *       through {@code DoubleJson});
 *   <li>{@code ErrorBody} and {@code ApiException}: every refusal as {@code {"error": {"field",
 *       "index", "reason"}}} with its HTTP status;
 *   <li>{@code AdminAuth}: the bearer token of the admin endpoints, compared in constant time;
 *   <li>{@code ModelDirectory}: model files by name from the models directory, never by path;
 *   <li>{@code ServiceMetrics}: requests by endpoint, method and status, and a latency histogram,
 *       in the registry the runtime's metrics share;
 *   <li>{@link pinn.runtime.service.ServiceConfig}: address, limits, drain timeout.
 * </ul>
 *
 * The README's "HTTP service" section documents the endpoints, the JSON shapes and the errors.
 */
package pinn.runtime.service;
