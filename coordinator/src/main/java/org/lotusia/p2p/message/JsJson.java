package org.lotusia.p2p.message;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes a Jackson tree exactly as JavaScript's {@code JSON.stringify} would write the equivalent
 * value: no whitespace, object keys in JavaScript property order (array-index keys ascending, then
 * the others in insertion order), only {@code "}, {@code \}, and control
 * characters escaped ({@code \b \f \n \r \t}, others as lowercase {@code \}{@code u00xx}), lone
 * surrogates escaped (well-formed JSON.stringify), numbers in ECMAScript Number-to-String form and
 * non-finite numbers as {@code null}.
 */
final class JsJson {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsJson() {
    }

    static void write(StringBuilder out, JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                // JavaScript objects list array-index keys first, ascending, then the rest in insertion order.
                List<Map.Entry<String, JsonNode>> indices = null;
                List<Map.Entry<String, JsonNode>> others = new ArrayList<>(node.size());
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (isArrayIndex(e.getKey())) {
                        if (indices == null) {
                            indices = new ArrayList<>();
                        }
                        indices.add(e);
                    } else {
                        others.add(e);
                    }
                }
                if (indices != null) {
                    indices.sort(Comparator.comparingLong(e -> Long.parseLong(e.getKey())));
                    indices.addAll(others);
                    others = indices;
                }
                out.append('{');
                boolean first = true;
                for (Map.Entry<String, JsonNode> e : others) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    writeString(out, e.getKey());
                    out.append(':');
                    write(out, e.getValue());
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(out, node.get(i));
                }
                out.append(']');
            }
            case STRING -> writeString(out, node.textValue());
            case BOOLEAN -> out.append(node.booleanValue());
            case NUMBER -> writeNumber(out, node);
            case BINARY -> writeString(out, node.asText()); // base64, as Jackson would
            default -> out.append("null"); // NULL, MISSING, POJO
        }
    }

    /** A canonical array index: "0" or no leading zero, at most 2^32 - 2. */
    static boolean isArrayIndex(String key) {
        int n = key.length();
        if (n == 0 || n > 10 || (n > 1 && key.charAt(0) == '0')) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return Long.parseLong(key) <= 4_294_967_294L;
    }

    static void writeString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        unicodeEscape(out, c);
                    } else if (Character.isHighSurrogate(c)) {
                        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                            out.append(c).append(s.charAt(++i));
                        } else {
                            unicodeEscape(out, c);
                        }
                    } else if (Character.isLowSurrogate(c)) {
                        unicodeEscape(out, c);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void unicodeEscape(StringBuilder out, char c) {
        out.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
                .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
    }

    private static void writeNumber(StringBuilder out, JsonNode node) {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            long v = node.longValue();
            if (Math.abs(v) <= (1L << 53)) {
                out.append(v);
                return;
            }
        }
        // Everything else goes through a double, as in JavaScript.
        out.append(jsNumber(node.doubleValue()));
    }

    /**
     * The shortest decimal that reads back as {@code d}, the closest one when several have that
     * length (what ECMAScript requires; Java 17's Double.toString is not always shortest).
     */
    private static BigDecimal shortest(double d) {
        BigDecimal exact = new BigDecimal(d);
        for (int p = 1; p < 17; p++) {
            BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (r.doubleValue() == d) {
                return r.stripTrailingZeros();
            }
        }
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
    }

    /** ECMAScript Number::toString(10) for a double (shortest round-trip digits). */
    static String jsNumber(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return "null";
        }
        if (d == 0) {
            return "0"; // also -0
        }
        BigDecimal bd = shortest(Math.abs(d));
        String digits = bd.unscaledValue().toString();
        int k = digits.length();
        int n = k - bd.scale(); // value = 0.digits * 10^n
        StringBuilder sb = new StringBuilder();
        if (d < 0) {
            sb.append('-');
        }
        if (k <= n && n <= 21) {
            sb.append(digits).append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            sb.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            sb.append("0.").append("0".repeat(-n)).append(digits);
        } else {
            int e = n - 1;
            sb.append(digits.charAt(0));
            if (k > 1) {
                sb.append('.').append(digits, 1, k);
            }
            sb.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
        }
        return sb.toString();
    }
}
