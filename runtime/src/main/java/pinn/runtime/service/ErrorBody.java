package pinn.runtime.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The JSON of every error answer: {@code {"error": {"field": "spot", "index": 3, "reason": "must
 * be finite and > 0, was -1.0"}}}. {@code index} appears only when one element of an array field
 * is at fault. The reason is written for the client; it never holds a stack trace or a class name.
 *
 * @param error what was wrong
 */
record ErrorBody(Detail error) {

    static ErrorBody of(String field, int index, String reason) {
        return new ErrorBody(new Detail(field, index >= 0 ? index : null, reason));
    }

    /**
     * @param field the request field, header or part at fault: {@code spot}, {@code type},
     *     {@code body}, {@code path}, {@code method}, {@code authorization}, {@code name}, ...
     * @param index the offending element of an array field, or null
     * @param reason why, e.g. "must be finite and > 0, was -1.0"
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"field", "index", "reason"})
    record Detail(String field, Integer index, String reason) {}
}
