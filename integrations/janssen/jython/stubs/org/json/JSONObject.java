package org.json;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Stand-in for org.json.JSONObject: parse, keySet, get/opt/optString/optJSONObject/has, put/putOpt,
 * toString (compact JSON, like org.json's). Numbers are kept as Long or Double. It has org.json's
 * constructor overloads (String, Map, bean Object) so that Jython picks among them as it does with
 * the real class; the bean and Map ones are not needed here and refuse.
 */
public class JSONObject {
    public static final Object NULL = new Object() {
        @Override
        public String toString() { return "null"; }
    };

    private final Map<String, Object> map = new LinkedHashMap<>();

    public JSONObject() {
    }

    public JSONObject(String source) {
        Parser parser = new Parser(source);
        Object value = parser.value();
        parser.end();
        if (!(value instanceof JSONObject)) {
            throw new JSONException("A JSONObject text must begin with '{'");
        }
        map.putAll(((JSONObject) value).map);
    }

    public JSONObject(Map<?, ?> source) {
        throw new JSONException("test stand-in: JSONObject(Map) is not supported here");
    }

    public JSONObject(Object bean) {
        throw new JSONException("test stand-in: the bean constructor JSONObject(Object) was chosen for a " + bean.getClass().getName());
    }

    public Set<String> keySet() { return map.keySet(); }
    public boolean has(String key) { return map.containsKey(key); }
    public Object opt(String key) { return map.get(key); }

    public Object get(String key) {
        Object value = map.get(key);
        if (value == null) throw new JSONException("JSONObject[\"" + key + "\"] not found.");
        return value;
    }

    public String optString(String key) {
        Object value = map.get(key);
        return value == null || value == NULL ? "" : value.toString();
    }

    public JSONObject optJSONObject(String key) {
        Object value = map.get(key);
        return value instanceof JSONObject ? (JSONObject) value : null;
    }

    public JSONArray optJSONArray(String key) {
        Object value = map.get(key);
        return value instanceof JSONArray ? (JSONArray) value : null;
    }

    public JSONObject put(String key, Object value) {
        if (value == null) map.remove(key); else map.put(key, value);
        return this;
    }

    public JSONObject putOpt(String key, Object value) {
        if (key != null && value != null) map.put(key, value);
        return this;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        write(out, this);
        return out.toString();
    }

    static void write(StringBuilder out, Object value) {
        if (value instanceof JSONObject) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : ((JSONObject) value).map.entrySet()) {
                if (!first) out.append(',');
                first = false;
                quote(out, e.getKey());
                out.append(':');
                write(out, e.getValue());
            }
            out.append('}');
        } else if (value instanceof JSONArray || value instanceof Number || value instanceof Boolean || value == NULL) {
            out.append(value);
        } else {
            quote(out, String.valueOf(value));
        }
    }

    private static void quote(StringBuilder out, String text) {
        out.append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c)); else out.append(c);
            }
        }
        out.append('"');
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s == null ? "" : s;
        }

        void end() {
            space();
            if (i != s.length()) throw new JSONException("trailing text at " + i);
        }

        private void space() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        private char next() {
            if (i >= s.length()) throw new JSONException("unexpected end of text");
            return s.charAt(i++);
        }

        Object value() {
            space();
            char c = next();
            switch (c) {
                case '{': {
                    JSONObject object = new JSONObject();
                    space();
                    if (s.startsWith("}", i)) { i++; return object; }
                    while (true) {
                        space();
                        if (next() != '"') throw new JSONException("expected a key at " + (i - 1));
                        String key = string();
                        space();
                        if (next() != ':') throw new JSONException("expected ':' at " + (i - 1));
                        object.map.put(key, value());
                        space();
                        char d = next();
                        if (d == '}') return object;
                        if (d != ',') throw new JSONException("expected ',' or '}' at " + (i - 1));
                    }
                }
                case '[': {
                    JSONArray array = new JSONArray();
                    space();
                    if (s.startsWith("]", i)) { i++; return array; }
                    while (true) {
                        array.values.add(value());
                        space();
                        char d = next();
                        if (d == ']') return array;
                        if (d != ',') throw new JSONException("expected ',' or ']' at " + (i - 1));
                    }
                }
                case '"':
                    return string();
                default: {
                    int start = i - 1;
                    while (i < s.length() && "{}[],:\" \t\r\n".indexOf(s.charAt(i)) < 0) i++;
                    String word = s.substring(start, i);
                    if (word.equals("true")) return Boolean.TRUE;
                    if (word.equals("false")) return Boolean.FALSE;
                    if (word.equals("null")) return NULL;
                    try {
                        if (word.matches("-?[0-9]+")) return Long.valueOf(word);
                        return Double.valueOf(word);
                    } catch (NumberFormatException e) {
                        throw new JSONException("unexpected value '" + word + "' at " + start);
                    }
                }
            }
        }

        private String string() {
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') return out.toString();
                if (c != '\\') { out.append(c); continue; }
                char e = next();
                switch (e) {
                    case 'n': out.append('\n'); break;
                    case 'r': out.append('\r'); break;
                    case 't': out.append('\t'); break;
                    case 'b': out.append('\b'); break;
                    case 'f': out.append('\f'); break;
                    case 'u':
                        if (i + 4 > s.length()) throw new JSONException("bad \\u escape");
                        out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                        break;
                    default: out.append(e);
                }
            }
        }
    }
}
