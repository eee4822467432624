package pinn.runtime.service;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The service's JSON: one configured Jackson factory and mapper, shared by every request, and the
 * strict reading of request bodies.
 *
 * <p>Request bodies are read with Jackson's streaming parser, field by field, so that every
 * refusal names the field (and the array element) at fault: the body must be one JSON object;
 * unknown and repeated fields are refused; numbers must be JSON numbers (strings, booleans,
 * {@code null}, {@code NaN} and {@code Infinity} are refused, the last two although the parser
 * is told to accept them, so that the answer can say which field held one). Answers are records
 * written by the mapper.
 */
final class Json {

    /**
     * The streaming factory: fast double parsing and writing; NaN/Infinity tokens read so they can
     * be refused by name; buffers recycled per thread, since every request is read and answered on
     * one of the server's few long-lived threads (event loops and work threads).
     */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.threadLocalPool())
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    /** Writes the answer records. Thread-safe once configured, as Jackson's mappers are. */
    static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY).build();

    private static final Pattern SOURCE = Pattern.compile("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)|\\s*\\[Source:[^\\]]*\\]");
    private static final Pattern HINT = Pattern.compile(":\\s*enable `[^`]*` to allow|\\s*\\(not recognized as one since Feature '[^']*' not enabled for parser\\)");
    private static final int SHOWN_TEXT = 40;

    private Json() {}

    /** Reads one field's value; the parser stands on the value's first token. */
    @FunctionalInterface
    interface FieldReader {
        void read(String field, JsonParser parser) throws IOException;
    }

    /**
     * Reads {@code body} as one JSON object whose fields are among {@code fields}, each at most
     * once, handing every value to {@code reader}; nothing may follow the object.
     *
     * @return which of {@code fields} were present
     * @throws ApiException 400 naming the body or the field at fault
     */
    static boolean[] readObject(byte[] body, List<String> fields, FieldReader reader) {
        if (body.length == 0) {
            throw ApiException.badRequest("body", "is empty; send a JSON object with the fields " + String.join(", ", fields));
        }
        boolean[] present = new boolean[fields.size()];
        try (JsonParser parser = FACTORY.createParser(body)) {
            JsonToken token = parser.nextToken();
            if (token != JsonToken.START_OBJECT) {
                throw ApiException.badRequest("body", "must be a JSON object, was " + describe(parser, token));
            }
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                int slot = fields.indexOf(name);
                if (slot < 0) {
                    throw ApiException.badRequest(shown(name), "is not a field of this request (unknown fields are refused); the fields are "
                            + String.join(", ", fields));
                }
                if (present[slot]) throw ApiException.badRequest(name, "appears more than once");
                present[slot] = true;
                parser.nextToken();
                reader.read(name, parser);
            }
            if (parser.nextToken() != null) throw ApiException.badRequest("body", "has more content after the JSON object");
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("body", "is not valid JSON: " + describe(e));
        } catch (IOException e) {
            // Reading a byte array fails only on bad content, never on I/O.
            throw ApiException.badRequest("body", "is not valid JSON: " + e.getMessage());
        }
        return present;
    }

    /**
     * The value at the parser as a double: a JSON number, finite.
     *
     * @param index the element's index in its array, or −1 for a scalar field
     */
    static double number(String field, int index, JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
            // Before the value is parsed, isNaN() is true only for the NaN and Infinity tokens; the text is needed only for a refusal.
            if (parser.isNaN()) {
                throw ApiException.badRequest(field, index, "must be a finite JSON number, was " + parser.getText()
                        + " (JSON has no NaN or Infinity)");
            }
            double value = parser.getDoubleValue();
            if (!Double.isFinite(value)) {
                throw ApiException.badRequest(field, index, "must be a finite number, was " + shown(parser.getText())
                        + ", beyond the range of a double");
            }
            return value;
        }
        throw ApiException.badRequest(field, index, "must be a JSON number, was " + describe(parser, token));
    }

    /** What the client sent, for a message: "the string \"100\"", "true", "null", "an object", ... */
    static String describe(JsonParser parser, JsonToken token) throws IOException {
        if (token == null) return "nothing";
        return switch (token) {
            case VALUE_STRING -> "the string \"" + shown(parser.getText()) + "\"";
            case VALUE_TRUE -> "true";
            case VALUE_FALSE -> "false";
            case VALUE_NULL -> "null";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + shown(parser.getText());
            default -> "unexpected JSON";
        };
    }

    /** A parse error as a client-facing sentence with its line and column, without Jackson's internals. */
    static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (message == null) message = "unreadable input";
        message = SOURCE.matcher(message).replaceAll("");
        message = HINT.matcher(message).replaceAll("");
        message = message.replace(" (or 'NaN'/'+INF'/'-INF')", "");
        if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
            message += " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        }
        return message;
    }

    /** {@code text}, cut to a length fit for an error message. */
    static String shown(String text) {
        return text.length() <= SHOWN_TEXT ? text : text.substring(0, SHOWN_TEXT) + "...";
    }
}
