/**
 * The HTTP pricing service ({@code ./pinn serve}): {@link pinn.runtime.service.PricingServer} puts
 * a {@link pinn.runtime.engine.PinnRuntime} behind the JDK's HTTP server, one virtual thread per
 * request.
 *
 * <ul>
 *   <li>{@code PriceRequest} / {@code PriceResponse}: the JSON of {@code POST /v1/price}, read
 *       strictly with Jackson's streaming parser ({@code Json}), written by its mapper;
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
