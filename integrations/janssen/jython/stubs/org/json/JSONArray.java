package org.json;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Stand-in for org.json.JSONArray (values as JSONObject holds them), with org.json's constructor
 * overloads (String, Collection, array Object); the last two are not needed here and refuse.
 */
public class JSONArray {
    final List<Object> values = new ArrayList<>();

    public JSONArray() {
    }

    public JSONArray(String source) {
        Object value = new JSONObject("{\"v\":" + source + "}").opt("v");
        if (!(value instanceof JSONArray)) {
            throw new JSONException("A JSONArray text must start with '['");
        }
        values.addAll(((JSONArray) value).values);
    }

    public JSONArray(Collection<?> collection) {
        throw new JSONException("test stand-in: JSONArray(Collection) is not supported here");
    }

    public JSONArray(Object array) {
        throw new JSONException("test stand-in: JSONArray(Object) was chosen for a " + array.getClass().getName());
    }

    public int length() { return values.size(); }
    public Object get(int index) { return values.get(index); }
    public String getString(int index) { return String.valueOf(values.get(index)); }
    public JSONArray put(Object value) { values.add(value); return this; }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) out.append(',');
            JSONObject.write(out, values.get(i));
        }
        return out.append(']').toString();
    }
}
