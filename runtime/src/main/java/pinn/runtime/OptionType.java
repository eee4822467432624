package pinn.runtime;

import java.util.Locale;

/** The right an option grants its holder: to buy ({@link #CALL}) or to sell ({@link #PUT}) at the strike. */
public enum OptionType {
    /** The right to buy the underlying at the strike; payoff max(S − K, 0). */
    CALL,
    /** The right to sell the underlying at the strike; payoff max(K − S, 0). */
    PUT;

    /**
     * Reads an option type as written by people and JSON clients: {@code "call"} or {@code "put"},
     * in any case, surrounding blanks ignored.
     *
     * @param text the name to read
     * @return the option type it names
     * @throws IllegalArgumentException if {@code text} is null or names neither type; the message
     *     quotes the rejected value
     */
    public static OptionType parse(String text) {
        if (text != null) {
            switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "call" -> {
                    return CALL;
                }
                case "put" -> {
                    return PUT;
                }
                default -> {
                }
            }
        }
        String shown = text == null ? "null" : "\"" + text + "\"";
        throw new IllegalArgumentException(
                "option type must be \"call\" or \"put\" (any case), got " + shown);
    }
}
